import { z } from "zod";
import { isUuid } from "@/db";
import { codePointLength, unstorableReason, utf8Length } from "@/lib/text";

/**
 * The zod building blocks every entry point validates with (forms, query strings, API bodies, MCP
 * tools), so a field means the same thing, with the same message, wherever it is entered, and
 * nothing reaches PostgreSQL that it would refuse with an error (a 500) or store changed:
 *
 * - text: no NUL, no lone surrogate, bounded in characters (code points) and UTF-8 bytes;
 * - instants and days: a real calendar date (not 2025-02-30), year 0001 to 9999 in UTC, which
 *   JavaScript and PostgreSQL both represent (PostgreSQL has no year 0; JavaScript ends at ±275760);
 * - numbers: integers within stated bounds; keyset cursors: a timestamp in range and a UUID;
 * - JSON: nesting depth measured without recursion.
 *
 * The database checks the account fields again.
 */

export const unstorableMessage = "Contains a character that cannot be stored (NUL or a lone surrogate).";

/** Any string PostgreSQL stores exactly as sent: the base of every text field below. */
export const storableString = () =>
  z.string().refine((v) => unstorableReason(v) === null, { message: unstorableMessage, abort: true });

export interface TextBounds {
  min?: number;
  /** In characters (Unicode code points). */
  max: number;
  /** In UTF-8 bytes; defaults to 4 bytes a character (no further bound). */
  maxBytes?: number;
  trim?: boolean;
  messages?: { min?: string; max?: string };
}

/** Text a person or a client typed: storable, trimmed if asked, bounded in characters and bytes. */
export function textField({ min = 0, max, maxBytes, trim = false, messages = {} }: TextBounds) {
  const base = storableString();
  return (trim ? base.trim() : base)
    .refine((v) => codePointLength(v) >= min, {
      message: messages.min ?? (min === 1 ? "Must not be empty." : `At least ${min} characters.`),
    })
    .refine((v) => codePointLength(v) <= max, { message: messages.max ?? `At most ${max} characters.` })
    .refine((v) => maxBytes === undefined || utf8Length(v) <= maxBytes, {
      message: `At most ${maxBytes} bytes in UTF-8.`,
    })
    .meta({ minLength: min, maxLength: max }); // for the OpenAPI document (JSON Schema counts code points too)
}

export const emailField = storableString()
  .trim()
  .toLowerCase()
  .min(1, "Enter your email.")
  .email("Enter a valid email address.")
  .max(320, "That email is too long.");
export const nameField = textField({
  min: 1,
  max: 100,
  trim: true,
  messages: { min: "Enter your name.", max: "At most 100 characters." },
});
export const newPasswordField = storableString()
  .min(8, "At least 8 characters.")
  .refine((p) => utf8Length(p) <= 72, "At most 72 bytes (bcrypt ignores the rest).");
export const workspaceField = textField({
  min: 1,
  max: 100,
  trim: true,
  messages: { min: "Name your workspace.", max: "At most 100 characters." },
});

/** A row's id: a UUID, lower-cased. Another tenant's id passes here and is then simply not found. */
export const idField = (message = "Not a valid id.") =>
  z
    .string()
    .refine(isUuid, message)
    .transform((v) => v.toLowerCase());

/** An integer within bounds; `coerce` for query strings and form fields ("20" → 20). */
export const intField = (min: number, max: number, { coerce = false } = {}) =>
  (coerce ? z.coerce.number() : z.number())
    .int("Must be a whole number.")
    .min(min, `At least ${min}.`)
    .max(max, `At most ${max}.`);

// Instants JavaScript and PostgreSQL both represent, and both print as YYYY-…: 0001-01-01 to 9999-12-31, UTC.
const firstInstantMs = new Date("0001-01-01T00:00:00.000Z").getTime();
const lastInstantMs = new Date("9999-12-31T23:59:59.999Z").getTime();
export const instantRangeMessage = "Must be between year 0001 and 9999 (UTC).";

/** True for a valid Date between 0001-01-01 and 9999-12-31 UTC. */
export function isRepresentableInstant(date: Date): boolean {
  const ms = date.getTime();
  return !Number.isNaN(ms) && ms >= firstInstantMs && ms <= lastInstantMs;
}

/** True when year-month-day names a day of the calendar (not 2025-02-30, not month 13). */
function isCalendarDay(year: number, month: number, day: number): boolean {
  const probe = new Date(0);
  probe.setUTCFullYear(year, month - 1, day);
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
}

const isoInstant = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** ISO 8601 with a time zone (2026-05-01T09:30:00Z), a real calendar date, between year 0001 and 9999 in UTC. */
export const instantField = z
  .string()
  .regex(isoInstant, { message: "Use ISO 8601 with a time zone, e.g. 2026-05-01T09:30:00Z.", abort: true })
  .refine((v) => {
    const match = isoInstant.exec(v);
    if (!match) return false;
    const [, y, m, d, hh, mm, ss, zone] = match;
    const offsetOk = zone === "Z" || (Number(zone!.slice(1, 3)) < 24 && Number(zone!.slice(4)) < 60);
    return (
      isCalendarDay(Number(y), Number(m), Number(d)) &&
      Number(hh) < 24 &&
      Number(mm) < 60 &&
      Number(ss ?? 0) < 60 &&
      offsetOk
    );
  }, "Not a calendar date and time.")
  .refine((v) => isRepresentableInstant(new Date(v)), instantRangeMessage)
  .meta({ format: "date-time" });

/** A UTC calendar day as YYYY-MM-DD that exists (not 2025-02-30), year 0001 to 9999. */
export const dayField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "Use a date like 2025-01-31.", abort: true })
  .refine((v) => {
    const [y, m, d] = v.split("-").map(Number) as [number, number, number];
    return isCalendarDay(y, m, d);
  }, "Not a calendar date.")
  .refine((v) => v >= "0001-01-01", instantRangeMessage);

/** Base64url text, as the app's keyset cursors are written; bounded before anything decodes it. */
export const cursorText = z
  .string()
  .max(200, "Not a cursor this app issued.")
  .regex(/^[A-Za-z0-9_-]+$/, "Not a cursor this app issued.");

/**
 * A keyset cursor `base64url("<ISO instant>|<uuid>")`: the (timestamp, id) of the last row shown.
 * Null for anything this app would not have issued (a year out of range, a non-UUID id).
 */
export function decodeKeysetCursor(raw: string): { at: Date; id: string } | null {
  if (!cursorText.safeParse(raw).success) return null;
  const [iso, id, ...rest] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  if (rest.length > 0 || !iso || !id || !isUuid(id)) return null;
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(iso)) return null;
  const at = new Date(iso);
  if (!isRepresentableInstant(at) || at.toISOString() !== iso) return null;
  return { at, id: id.toLowerCase() };
}

export function encodeKeysetCursor(c: { at: Date; id: string }): string {
  return Buffer.from(`${c.at.toISOString()}|${c.id}`, "utf8").toString("base64url");
}

/**
 * How deeply arrays and objects nest in a parsed JSON value, counted with an explicit stack (a
 * recursive walk would overflow the runtime's stack on the input it is meant to refuse). Stops
 * counting once past `limit`.
 */
export function jsonDepthExceeds(value: unknown, limit: number): boolean {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}

const hasControlCharacter = (v: string) => [...v].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127);

/** One line of text a person typed, trimmed, without control characters. */
export const lineField = (min: number, max: number, messages: { min: string; max: string }) =>
  textField({ min, max, trim: true, messages }).refine(
    (v) => !hasControlCharacter(v),
    "Control characters are not allowed.",
  );

/** The secret of a link (invitation, magic link): base64url, as the app makes them. */
export const linkToken = /^[A-Za-z0-9_-]{20,100}$/;
export const linkTokenField = (message: string) => z.string().regex(linkToken, message);

/**
 * An Idempotency-Key header: what the client chose to name one logical request (a UUID is typical),
 * 1-255 visible ASCII characters, compared exactly.
 */
export const idempotencyKeyField = z
  .string()
  .min(1, "Send a non-empty key.")
  .max(255, "At most 255 characters.")
  .regex(/^[\x21-\x7e]+$/, "Use visible ASCII characters only (no spaces).");
