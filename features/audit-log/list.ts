import { and, asc, desc, eq, gte, lt, sql } from "drizzle-orm";
import { z } from "zod";
import { auditEvents, users } from "@/db/schema";
import { isUuid, type TenantTx } from "@/db";
import { cursorText, dayField, instantField } from "@/lib/validation";

/**
 * The audit log page: the tenant's events, newest first, filtered by action, actor and date range,
 * keyset-paginated on (occurred_at, id). Dates are UTC days, as displayed. The cursor keeps the
 * timestamp at microsecond precision (as text), because a JavaScript Date would round it to milliseconds and skip or repeat rows.
 */
export const auditPageSize = 50;

export const auditFilterSchema = z
  .object({
    action: z
      .string()
      .trim()
      .max(100)
      .regex(/^[a-z_.]*$/, "Not an action name.")
      .optional(),
    actor: z
      .string()
      .refine((v) => v === "" || isUuid(v), "Not a member id.")
      .optional(),
    from: dayField.optional().or(z.literal("")),
    to: dayField.optional().or(z.literal("")),
    after: cursorText.optional(),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    path: ["to"],
    message: "The end date is before the start date.",
  });

export type AuditFilter = z.output<typeof auditFilterSchema>;

interface Cursor {
  at: string;
  id: number;
}

export function encodeAuditCursor(c: Cursor): string {
  return Buffer.from(`${c.at}|${c.id}`, "utf8").toString("base64url");
}

export function decodeAuditCursor(raw: string): Cursor | null {
  const [at, id] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  if (!at || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/.test(at) || !instantField.safeParse(at).success)
    return null;
  if (!id || !/^\d{1,15}$/.test(id)) return null; // a bigint id JavaScript holds exactly
  return { at, id: Number(id) };
}

export async function listAuditEvents(tx: TenantTx, tenantId: string, filter: AuditFilter, after: Cursor | null) {
  // The page of events first, then their actors: on Citus the events are distributed and users is a
  // table on the coordinator, and a direct join of the two as app_user crashed the coordinator (Citus
  // 13.2.2); through the CTE, Citus fetches the page from its shard and joins on the coordinator.
  // PostgreSQL inlines the CTE: on one server the plan is the join it always was.
  const events = tx.$with("events").as(
    tx
      .select({
        id: auditEvents.id,
        occurredAt: auditEvents.occurredAt,
        cursorAt:
          sql<string>`to_char(${auditEvents.occurredAt} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as(
            "cursor_at",
          ),
        action: auditEvents.action,
        target: auditEvents.target,
        metadata: auditEvents.metadata,
        actorUserId: auditEvents.actorUserId,
      })
      .from(auditEvents)
      .where(
        and(
          eq(auditEvents.tenantId, tenantId),
          filter.action ? eq(auditEvents.action, filter.action) : undefined,
          filter.actor ? eq(auditEvents.actorUserId, filter.actor) : undefined,
          filter.from
            ? gte(auditEvents.occurredAt, sql`(${filter.from}::date)::timestamp at time zone 'UTC'`)
            : undefined,
          filter.to
            ? lt(auditEvents.occurredAt, sql`(${filter.to}::date + 1)::timestamp at time zone 'UTC'`)
            : undefined,
          after
            ? sql`(${auditEvents.occurredAt}, ${auditEvents.id}) < (${after.at}::timestamptz, ${after.id})`
            : undefined,
        ),
      )
      .orderBy(desc(auditEvents.occurredAt), desc(auditEvents.id))
      .limit(auditPageSize + 1),
  );
  const rows = await tx
    .with(events)
    .select({
      id: events.id,
      occurredAt: events.occurredAt,
      cursorAt: events.cursorAt,
      action: events.action,
      target: events.target,
      metadata: events.metadata,
      actorUserId: events.actorUserId,
      actorName: users.name,
      actorEmail: users.email,
    })
    .from(events)
    .leftJoin(users, eq(users.id, events.actorUserId))
    .orderBy(desc(events.occurredAt), desc(events.id));
  const page = rows.slice(0, auditPageSize);
  const last = page.at(-1);
  return {
    rows: page,
    next: rows.length > auditPageSize && last ? encodeAuditCursor({ at: last.cursorAt, id: last.id }) : null,
  };
}

/** The actions that occur in this tenant's log, for the filter. */
export async function auditActions(tx: TenantTx, tenantId: string): Promise<string[]> {
  const rows = await tx
    .selectDistinct({ action: auditEvents.action })
    .from(auditEvents)
    .where(eq(auditEvents.tenantId, tenantId))
    .orderBy(asc(auditEvents.action));
  return rows.map((r) => r.action);
}
