import { boundedQuery, rawPool } from "./client";

/**
 * A request with an API key names no tenant: the key is the tenant. Resolution goes through the one
 * narrow SECURITY DEFINER function made for it (app.resolve_api_key, migration 0004), which takes the
 * SHA-256 of the presented key and returns the live key's tenant and id; app_user cannot read hashes.
 */
export interface ResolvedApiKey {
  tenantId: string;
  keyId: string;
  lastUsedAt: Date | null;
}

export async function resolveApiKeyHash(secretHash: string): Promise<ResolvedApiKey | null> {
  // Every request with a key starts here, before its transaction: a full pool must not queue it forever.
  const pool = rawPool("app_user");
  const rows = await boundedQuery<{ tenant_id: string; key_id: string; last_used_at: string | Date | null }[]>(
    pool`select tenant_id, key_id, last_used_at from app.resolve_api_key(${secretHash})`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    keyId: row.key_id,
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
  };
}
