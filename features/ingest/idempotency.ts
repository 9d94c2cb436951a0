import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { ingestIdempotencyKeys } from "@/db/schema";
import { databaseError, sqlState, type TenantTx } from "@/db";
import type { ConversationInput, ConversationOutput } from "./schema";

/**
 * Idempotency-Key on the ingest POST. The key is recorded in the transaction that creates the
 * conversation, sent with its inserts in the same round trip (features/ingest/conversations.ts): both
 * commit or neither does. A retry with the same key hits the key's primary key, its transaction rolls
 * back, and the stored conversation is answered instead, so a client that retries after a timeout, a
 * 503 or a dropped connection creates the conversation once. The same key with another body is refused.
 */
export interface IdempotencyClaim {
  key: string;
  /** SHA-256 of the validated body, as JSON in the schema's field order. */
  requestHash: string;
}

export function idempotencyClaim(key: string, input: ConversationInput): IdempotencyClaim {
  return { key, requestHash: createHash("sha256").update(JSON.stringify(input)).digest("hex") };
}

/** The insert of the claim, for the creating transaction's pipeline. */
export function recordClaim(tx: TenantTx, tenantId: string, conversationId: string, claim: IdempotencyClaim) {
  return tx
    .insert(ingestIdempotencyKeys)
    .values({ tenantId, key: claim.key, requestHash: claim.requestHash, conversationId })
    .then(() => undefined);
}

export class IdempotencyKeyTakenError extends Error {
  constructor() {
    super("This Idempotency-Key was used before.");
    this.name = "IdempotencyKeyTakenError";
  }
}

export function isClaimTaken(error: unknown): boolean {
  const info = databaseError(error);
  return info?.code === sqlState.uniqueViolation && info.constraint === "ingest_idempotency_keys_tenant_id_key_pk";
}

export type ClaimedResult =
  | { kind: "replay"; conversationId: string }
  | { kind: "other_body" }
  /** The conversation (and with it the key) was deleted since. */
  | { kind: "gone" };

export async function claimedResult(tx: TenantTx, tenantId: string, claim: IdempotencyClaim): Promise<ClaimedResult> {
  const [row] = await tx
    .select({ conversationId: ingestIdempotencyKeys.conversationId, requestHash: ingestIdempotencyKeys.requestHash })
    .from(ingestIdempotencyKeys)
    .where(and(eq(ingestIdempotencyKeys.tenantId, tenantId), eq(ingestIdempotencyKeys.key, claim.key)));
  if (!row) return { kind: "gone" };
  return row.requestHash === claim.requestHash
    ? { kind: "replay", conversationId: row.conversationId }
    : { kind: "other_body" };
}

export type { ConversationOutput };
