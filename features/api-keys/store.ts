import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { type TenantTx } from "@/db";
import { recordAudit } from "@/lib/audit-log";
import { generateApiKey } from "@/lib/auth/api-key-format";
import { lineField } from "@/lib/validation";

/**
 * API keys of the tenant in context: created (the secret is returned once and never stored), listed
 * (never with a hash: app_user has no grant on it), revoked. Each change is audited in the same
 * transaction.
 */
export const apiKeyNameMaxLength = 100;

export const apiKeyName = lineField(1, apiKeyNameMaxLength, {
  min: "Give the key a name, e.g. the agent or integration that will use it.",
  max: `At most ${apiKeyNameMaxLength} characters.`,
});

export interface CreatedApiKey {
  id: string;
  name: string;
  prefix: string;
  /** The full key: show it once. */
  key: string;
}

export async function createApiKey(
  tx: TenantTx,
  input: { tenantId: string; name: string; createdBy: string | null },
): Promise<CreatedApiKey> {
  const secret = generateApiKey();
  const id = crypto.randomUUID();
  await tx.insert(apiKeys).values({
    tenantId: input.tenantId,
    id,
    name: input.name,
    prefix: secret.prefix,
    secretHash: secret.secretHash,
    createdBy: input.createdBy,
  });
  await recordAudit(tx, {
    tenantId: input.tenantId,
    actorUserId: input.createdBy,
    action: "api_key.created",
    target: `api_key:${id}`,
    metadata: { name: input.name, prefix: secret.prefix },
  });
  return { id, name: input.name, prefix: secret.prefix, key: secret.key };
}

export function listApiKeys(tx: TenantTx, tenantId: string) {
  return tx
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      createdAt: apiKeys.createdAt,
      lastUsedAt: apiKeys.lastUsedAt,
      revokedAt: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .where(eq(apiKeys.tenantId, tenantId))
    .orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

/** Revokes a live key of this tenant; false when there is none with that id (or it is already revoked). */
export async function revokeApiKey(
  tx: TenantTx,
  input: { tenantId: string; id: string; revokedBy: string | null },
): Promise<boolean> {
  const revoked = await tx
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.tenantId, input.tenantId), eq(apiKeys.id, input.id), isNull(apiKeys.revokedAt)))
    .returning({ name: apiKeys.name, prefix: apiKeys.prefix });
  const key = revoked[0];
  if (!key) return false;
  await recordAudit(tx, {
    tenantId: input.tenantId,
    actorUserId: input.revokedBy,
    action: "api_key.revoked",
    target: `api_key:${input.id}`,
    metadata: { name: key.name, prefix: key.prefix },
  });
  return true;
}
