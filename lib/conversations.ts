import { and, asc, desc, eq, lt, or, sql } from "drizzle-orm";
import { agents, conversations, conversationTurns } from "@/db/schema";
import { isUuid, type TenantTx } from "@/db/tenant";

export const pageSize = 50;

/** Keyset position: the (started_at, id) of the last row shown, opaque to the browser. */
export interface Cursor {
  startedAt: Date;
  id: string;
}

export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.startedAt.toISOString()}|${c.id}`, "utf8").toString("base64url");
}

export function decodeCursor(raw: string): Cursor | null {
  const [iso, id] = Buffer.from(raw, "base64url").toString("utf8").split("|");
  const startedAt = new Date(iso ?? "");
  if (!id || !isUuid(id) || Number.isNaN(startedAt.getTime())) return null;
  return { startedAt, id };
}

// Queries filter by tenant_id explicitly as well as through RLS: the planner then gets a constant
// (an ordered index scan that stops at 50 rows), and a sharded deployment can route by it.
export async function listConversations(tx: TenantTx, tenantId: string, after: Cursor | null) {
  const rows = await tx
    .select({
      id: conversations.id,
      startedAt: conversations.startedAt,
      durationSeconds: conversations.durationSeconds,
      channel: conversations.channel,
      caller: conversations.caller,
      status: conversations.status,
      summaryFirstLine: sql<string>`split_part(${conversations.summary}, E'\\n', 1)`,
      agentName: agents.name,
    })
    .from(conversations)
    .innerJoin(agents, and(eq(agents.tenantId, conversations.tenantId), eq(agents.id, conversations.agentId)))
    .where(
      and(
        eq(conversations.tenantId, tenantId),
        after
          ? or(lt(conversations.startedAt, after.startedAt), and(eq(conversations.startedAt, after.startedAt), lt(conversations.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(conversations.startedAt), desc(conversations.id))
    .limit(pageSize + 1);
  const page = rows.slice(0, pageSize);
  const last = page.at(-1);
  return { rows: page, next: rows.length > pageSize && last ? encodeCursor(last) : null };
}

export async function getConversation(tx: TenantTx, tenantId: string, id: string) {
  const [conversation] = await tx
    .select({
      id: conversations.id,
      startedAt: conversations.startedAt,
      durationSeconds: conversations.durationSeconds,
      channel: conversations.channel,
      caller: conversations.caller,
      status: conversations.status,
      summary: conversations.summary,
      agentName: agents.name,
    })
    .from(conversations)
    .innerJoin(agents, and(eq(agents.tenantId, conversations.tenantId), eq(agents.id, conversations.agentId)))
    .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id)));
  if (!conversation) return null;
  const turns = await tx
    .select({ position: conversationTurns.position, speaker: conversationTurns.speaker, text: conversationTurns.text, offsetMs: conversationTurns.offsetMs })
    .from(conversationTurns)
    .where(and(eq(conversationTurns.tenantId, tenantId), eq(conversationTurns.conversationId, id)))
    .orderBy(asc(conversationTurns.position));
  return { ...conversation, turns };
}
