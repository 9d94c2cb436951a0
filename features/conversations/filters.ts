import { z } from "zod";
import { channels, conversationStatuses } from "@/db/schema";
import { dayField, idField, textField } from "@/lib/validation";

/**
 * The conversation filters, as they travel in the URL (?q=&agent=&channel=&status=&from=&to=): the
 * list page, its pagination links and the CSV export all read them through `parseFilters`, so a
 * filter means the same thing everywhere.
 */
export const filterKeys = ["q", "agent", "channel", "status", "from", "to"] as const;
export type FilterKey = (typeof filterKeys)[number];

export const filtersSchema = z
  .object({
    q: textField({ max: 200, trim: true, messages: { max: "Search terms are limited to 200 characters." } }).optional(),
    agent: idField("Choose an agent from the list.").optional(),
    channel: z.enum(channels, { message: "Choose voice or chat." }).optional(),
    status: z.enum(conversationStatuses, { message: `Choose one of: ${conversationStatuses.join(", ")}.` }).optional(),
    from: dayField.optional(),
    to: dayField.optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ["to"],
    message: "The end date is before the start date.",
  });

export type ConversationFilters = z.infer<typeof filtersSchema>;
/** What the user typed, kept as is so a form with an error shows it again. */
export type RawFilters = Partial<Record<FilterKey, string>>;
export type FilterErrors = Partial<Record<FilterKey, string>>;

export type ParsedFilters =
  { ok: true; filters: ConversationFilters; raw: RawFilters } | { ok: false; errors: FilterErrors; raw: RawFilters };

type ParamSource = URLSearchParams | Record<string, string | string[] | undefined>;

function firstValue(source: ParamSource, key: string): string | undefined {
  const value = source instanceof URLSearchParams ? source.get(key) : source[key];
  const first = Array.isArray(value) ? value[0] : value;
  return first === null || first === undefined || first.trim() === "" ? undefined : first;
}

export function parseFilters(source: ParamSource): ParsedFilters {
  const raw: RawFilters = {};
  for (const key of filterKeys) {
    const value = firstValue(source, key);
    if (value !== undefined) raw[key] = value;
  }
  const parsed = filtersSchema.safeParse(raw);
  if (parsed.success) {
    const filters = { ...parsed.data };
    if (filters.q === "") delete filters.q;
    return { ok: true, filters, raw };
  }
  const errors: FilterErrors = {};
  for (const issue of parsed.error.issues) {
    const key = issue.path[0];
    if (typeof key === "string" && (filterKeys as readonly string[]).includes(key))
      errors[key as FilterKey] ??= issue.message;
  }
  return { ok: false, errors, raw };
}

/** The query string for these filters (and a keyset cursor), in a stable order. */
export function filtersQuery(filters: RawFilters | ConversationFilters, after?: string): string {
  const params = new URLSearchParams();
  for (const key of filterKeys) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  if (after) params.set("after", after);
  const query = params.toString();
  return query ? `?${query}` : "";
}

export function hasFilters(filters: RawFilters | ConversationFilters): boolean {
  return filterKeys.some((key) => Boolean(filters[key]));
}

/** `from` and `to` are whole UTC days; `to` includes its day. */
export function dateRange(filters: ConversationFilters): { since?: Date; before?: Date } {
  const since = filters.from ? new Date(`${filters.from}T00:00:00Z`) : undefined;
  // The day after 9999-12-31 is past what the database is sent (lib/validation.ts): no upper bound then.
  const before =
    filters.to && filters.to < "9999-12-31" ? new Date(Date.parse(`${filters.to}T00:00:00Z`) + 86_400_000) : undefined;
  return { since, before };
}
