import { randomUUID } from "node:crypto";
import { and, asc, desc, eq, lt, or } from "drizzle-orm";
import { agents, conversations, conversationTurns } from "@/db/schema";
import { isUuid, lastly, type TenantTx, together } from "@/db";
import { decodeCursor, encodeCursor } from "@/features/conversations/queries";
import {
  claimedResult,
  IdempotencyKeyTakenError,
  isClaimTaken,
  recordClaim,
  type IdempotencyClaim,
} from "./idempotency";
import type { ConversationInput, ConversationOutput, ConversationSummaryOutput } from "./schema";

/**
 * The ingest API's reads and writes, always inside the key's withTenant transaction. Queries filter by
 * tenant_id explicitly as well (belt and braces; RLS is what makes a forgotten filter harmless).
 */
export class UnknownAgentError extends Error {
  constructor(readonly agent: string) {
    super(`No agent ${JSON.stringify(agent)} in this tenant.`);
    this.name = "UnknownAgentError";
  }
}

export class InvalidCursorError extends Error {
  constructor() {
    super("The cursor is not one this API issued.");
    this.name = "InvalidCursorError";
  }
}

const summaryColumns = {
  id: conversations.id,
  agentId: agents.id,
  agentName: agents.name,
  channel: conversations.channel,
  caller: conversations.caller,
  status: conversations.status,
  startedAt: conversations.startedAt,
  durationSeconds: conversations.durationSeconds,
  summary: conversations.summary,
};

type SummaryRow = { [K in keyof typeof summaryColumns]: (typeof summaryColumns)[K]["_"]["data"] };

function toOutput(row: SummaryRow): ConversationSummaryOutput {
  return {
    id: row.id,
    agent: { id: row.agentId, name: row.agentName },
    channel: row.channel,
    caller: row.caller,
    status: row.status,
    started_at: row.startedAt.toISOString(),
    duration_seconds: row.durationSeconds,
    summary: row.summary,
  };
}

// A foreign key violation on (tenant_id, agent_id): the id names no agent of this tenant (another
// tenant's agent and a made-up id look the same).
function isAgentForeignKeyViolation(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const pg = e as Error & { code?: string; constraint_name?: string };
    if (pg.code === "23503" && pg.constraint_name === "conversations_agent_fk") return true;
  }
  return false;
}

async function agentIdFor(tx: TenantTx, tenantId: string, agent: string): Promise<string> {
  if (isUuid(agent)) return agent.toLowerCase();
  const [found] = await tx
    .select({ id: agents.id })
    .from(agents)
    .where(and(eq(agents.tenantId, tenantId), eq(agents.name, agent)));
  if (!found) throw new UnknownAgentError(agent);
  return found.id;
}

/**
 * The conversation, its idempotency key (when the request has one), its turns and the read-back go
 * out together (db/together.ts), in one round trip: the id is drawn here rather than by the database.
 * If the conversation is refused, the statements behind it fail with it, and the conversation's error
 * is the one reported; a key used before fails the transaction with IdempotencyKeyTakenError.
 */
export async function createConversation(
  tx: TenantTx,
  tenantId: string,
  input: ConversationInput,
  claim?: IdempotencyClaim,
): Promise<ConversationOutput> {
  const agentId = await agentIdFor(tx, tenantId, input.agent);
  const id = randomUUID();
  // Started (.then) here, in this order: the read-back below starts when it is called.
  const conversationWritten = tx
    .insert(conversations)
    .values({
      tenantId,
      id,
      agentId,
      channel: input.channel,
      caller: input.caller,
      status: input.status,
      startedAt: new Date(input.started_at),
      durationSeconds: input.duration_seconds,
      summary: input.summary,
    })
    .then(() => undefined);
  const claimRecorded = claim ? recordClaim(tx, tenantId, id, claim) : undefined;
  const turnsWritten =
    input.turns.length > 0
      ? tx
          .insert(conversationTurns)
          .values(
            input.turns.map((t, position) => ({
              tenantId,
              conversationId: id,
              position,
              speaker: t.speaker,
              text: t.text,
              offsetMs: t.offset_ms,
            })),
          )
          .then(() => undefined)
      : undefined;
  let created: ConversationOutput | null;
  try {
    [, , , created] = await together([
      conversationWritten,
      claimRecorded,
      turnsWritten,
      getConversationForApi(tx, tenantId, id),
    ]);
  } catch (error) {
    if (isAgentForeignKeyViolation(error)) throw new UnknownAgentError(input.agent);
    if (isClaimTaken(error)) throw new IdempotencyKeyTakenError();
    throw error;
  }
  if (!created) throw new Error(`conversation ${id} was written but could not be read back`);
  return created;
}

export type IngestOutcome =
  | { kind: "created" | "replayed"; conversation: ConversationOutput }
  /** The Idempotency-Key was used before with another body. */
  | { kind: "key_reused" };

/**
 * The ingest POST: createConversation in one transaction (`run` opens it in the caller's tenant); when
 * its Idempotency-Key was used before, the first request's conversation from a second transaction.
 * Retries are rare, so the first request pays nothing for the check: the key rides in its pipeline.
 */
export async function ingestConversation(
  run: <T>(fn: (tx: TenantTx) => Promise<T>) => Promise<T>,
  tenantId: string,
  input: ConversationInput,
  claim?: IdempotencyClaim,
): Promise<IngestOutcome> {
  // A second attempt only when the key's conversation was deleted between the two transactions.
  for (let attempt = 1; ; attempt++) {
    try {
      return { kind: "created", conversation: await run((tx) => createConversation(tx, tenantId, input, claim)) };
    } catch (error) {
      if (!claim || !(error instanceof IdempotencyKeyTakenError) || attempt > 1) throw error;
    }
    const earlier = await run(async (tx): Promise<IngestOutcome | null> => {
      const claimed = await claimedResult(tx, tenantId, claim);
      if (claimed.kind === "other_body") return { kind: "key_reused" };
      const conversation =
        claimed.kind === "replay" ? await getConversationForApi(tx, tenantId, claimed.conversationId) : null;
      return conversation ? { kind: "replayed", conversation } : null;
    });
    if (earlier) return earlier;
  }
}

export async function listConversationsForApi(
  tx: TenantTx,
  tenantId: string,
  options: { limit: number; after?: string },
) {
  const cursor = options.after === undefined ? null : decodeCursor(options.after);
  if (options.after !== undefined && !cursor) throw new InvalidCursorError();
  // The transaction's only statement, with BEGIN, the context and COMMIT in one round trip.
  const [rows] = await lastly(tx, [
    tx
      .select(summaryColumns)
      .from(conversations)
      .innerJoin(agents, and(eq(agents.tenantId, conversations.tenantId), eq(agents.id, conversations.agentId)))
      .where(
        and(
          eq(conversations.tenantId, tenantId),
          cursor
            ? or(
                lt(conversations.startedAt, cursor.startedAt),
                and(eq(conversations.startedAt, cursor.startedAt), lt(conversations.id, cursor.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(conversations.startedAt), desc(conversations.id))
      .limit(options.limit + 1),
  ]);
  const page = rows.slice(0, options.limit);
  const last = page.at(-1);
  return { data: page.map(toOutput), next_cursor: rows.length > options.limit && last ? encodeCursor(last) : null };
}

export async function getConversationForApi(
  tx: TenantTx,
  tenantId: string,
  id: string,
): Promise<ConversationOutput | null> {
  if (!isUuid(id)) return null;
  // Asked for together, one round trip (as getConversation in lib/conversations.ts).
  const [[row], turns] = await together([
    tx
      .select(summaryColumns)
      .from(conversations)
      .innerJoin(agents, and(eq(agents.tenantId, conversations.tenantId), eq(agents.id, conversations.agentId)))
      .where(and(eq(conversations.tenantId, tenantId), eq(conversations.id, id))),
    tx
      .select({
        position: conversationTurns.position,
        speaker: conversationTurns.speaker,
        text: conversationTurns.text,
        offsetMs: conversationTurns.offsetMs,
      })
      .from(conversationTurns)
      .where(and(eq(conversationTurns.tenantId, tenantId), eq(conversationTurns.conversationId, id)))
      .orderBy(asc(conversationTurns.position)),
  ]);
  if (!row) return null;
  return {
    ...toOutput(row),
    turns: turns.map((t) => ({ position: t.position, speaker: t.speaker, text: t.text, offset_ms: t.offsetMs })),
  };
}
