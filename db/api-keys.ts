import { boundedQuery, rawPool } from "./client";

/**
 * A request with an API key names no tenant: the key is the tenant. Resolution goes through the one
 * narrow SECURITY DEFINER function made for it (app.resolve_api_key, drizzle/0016), which takes the
 * SHA-256 of the presented key and returns the live key's tenant and id; app_user cannot read hashes.
 * The same call spends `cost` units from the key's token bucket, kept in PostgreSQL and shared by
 * every app instance (atomic: the bucket's row lock serialises concurrent requests), so the limit
 * costs no round trip of its own.
 */
export interface RateDecision {
  allowed: boolean;
  /** Seconds until `cost` units are available again (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

export interface ResolvedApiKey {
  tenantId: string;
  keyId: string;
  lastUsedAt: Date | null;
  rate: RateDecision;
}

export async function resolveApiKeyHash(
  secretHash: string,
  limit: { perMinute: number; cost: number },
): Promise<ResolvedApiKey | null> {
  // Every request with a key starts here, before its transaction: a full pool must not queue it forever.
  const pool = rawPool("app_user");
  const rows = await boundedQuery<
    {
      tenant_id: string;
      key_id: string;
      last_used_at: string | Date | null;
      allowed: boolean;
      retry_after_seconds: number;
      remaining: number;
    }[]
  >(
    pool`select tenant_id, key_id, last_used_at, allowed, retry_after_seconds, remaining
         from app.resolve_api_key(${secretHash}, ${limit.perMinute}::integer, ${limit.cost}::integer)`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    keyId: row.key_id,
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
    rate: { allowed: row.allowed, retryAfterSeconds: row.retry_after_seconds, remaining: row.remaining },
  };
}
