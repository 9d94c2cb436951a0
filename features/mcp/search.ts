import { and, desc, eq, exists, ilike, or, sql } from "drizzle-orm";
import { agents, conversations, conversationTurns } from "@/db/schema";
import { type TenantTx } from "@/db";

/** Conversations whose summary, caller or transcript contains the text (case-insensitive), newest first. */
export async function searchConversations(tx: TenantTx, tenantId: string, text: string, limit: number) {
  // The search text is a bind parameter; % and _ in it are matched literally.
  const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const turnMatches = tx
    .select({ one: sql`1` })
    .from(conversationTurns)
    .where(
      and(
        eq(conversationTurns.tenantId, conversations.tenantId),
        eq(conversationTurns.conversationId, conversations.id),
        ilike(conversationTurns.text, pattern),
      ),
    );
  return tx
    .select({
      id: conversations.id,
      startedAt: conversations.startedAt,
      agent: agents.name,
      channel: conversations.channel,
      caller: conversations.caller,
      status: conversations.status,
      summary: sql<string>`split_part(${conversations.summary}, E'\\n', 1)`,
    })
    .from(conversations)
    .innerJoin(agents, and(eq(agents.tenantId, conversations.tenantId), eq(agents.id, conversations.agentId)))
    .where(
      and(
        eq(conversations.tenantId, tenantId),
        or(ilike(conversations.summary, pattern), ilike(conversations.caller, pattern), exists(turnMatches)),
      ),
    )
    .orderBy(desc(conversations.startedAt), desc(conversations.id))
    .limit(limit);
}
