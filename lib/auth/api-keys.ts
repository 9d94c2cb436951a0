import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { resolveApiKeyHash, withTenant } from "@/db";
import { apiKeys } from "@/db/schema";
import { jsonError } from "@/lib/http/json";
import { apiKeyLimit, rateLimited } from "@/lib/rate-limit";
import { bearerToken, hashApiKey, isWellFormedApiKey } from "./api-key-format";

/**
 * `Authorization: Bearer <key>` -> the key's tenant. Missing, malformed, unknown and revoked keys get
 * the same kind of answer (401 JSON); a key over its rate gets 429 JSON with Retry-After.
 * Route handlers reach this through routeCaller (lib/http/caller.ts).
 */
export interface ApiKeyCaller {
  tenantId: string;
  keyId: string;
}

export type ApiKeyAuth = { ok: true; caller: ApiKeyCaller } | { ok: false; response: Response };

const unauthorized = (code: string, message: string): ApiKeyAuth => ({
  ok: false,
  response: jsonError(401, code, message, {}, { "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"' }),
});

export function hasBearer(request: Request): boolean {
  return request.headers.has("authorization");
}

/** `cost`: the units this request spends from the key's shared bucket (lib/rate-limit.ts). */
export async function authenticateApiKey(request: Request, cost = 1): Promise<ApiKeyAuth> {
  const key = bearerToken(request.headers.get("authorization"));
  if (!key) return unauthorized("missing_api_key", "Send an API key: Authorization: Bearer rls_live_…");
  if (!isWellFormedApiKey(key)) return unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.");
  const resolved = await resolveApiKeyHash(hashApiKey(key), apiKeyLimit(cost));
  if (!resolved) return unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.");

  if (!resolved.rate.allowed) return { ok: false, response: rateLimited(resolved.rate, "this API key", cost) };
  if (!resolved.lastUsedAt || Date.now() - resolved.lastUsedAt.getTime() > 60_000) {
    await withTenant(resolved.tenantId, (tx) =>
      // At most once a minute per key: a write per request would cost more than the request.
      tx
        .update(apiKeys)
        .set({ lastUsedAt: sql`now()` })
        .where(
          and(
            eq(apiKeys.tenantId, resolved.tenantId),
            eq(apiKeys.id, resolved.keyId),
            or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`)),
          ),
        ),
    );
  }
  return { ok: true, caller: { tenantId: resolved.tenantId, keyId: resolved.keyId } };
}
