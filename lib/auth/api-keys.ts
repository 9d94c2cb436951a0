import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { resolveApiKeyHash, withTenant } from "@/db";
import { apiKeys } from "@/db/schema";
import { env } from "@/lib/env";
import { jsonError } from "@/lib/http/json";
import { TokenBuckets } from "@/lib/rate-limit";
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

const globalBuckets = globalThis as unknown as { __apiKeyBuckets?: TokenBuckets };
const buckets = () => (globalBuckets.__apiKeyBuckets ??= new TokenBuckets(env().API_KEY_RATE_LIMIT_PER_MINUTE));

const unauthorized = (code: string, message: string): ApiKeyAuth => ({
  ok: false,
  response: jsonError(401, code, message, {}, { "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"' }),
});

export function hasBearer(request: Request): boolean {
  return request.headers.has("authorization");
}

export async function authenticateApiKey(request: Request): Promise<ApiKeyAuth> {
  const key = bearerToken(request.headers.get("authorization"));
  if (!key) return unauthorized("missing_api_key", "Send an API key: Authorization: Bearer rls_live_…");
  if (!isWellFormedApiKey(key)) return unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.");
  const resolved = await resolveApiKeyHash(hashApiKey(key));
  if (!resolved) return unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.");

  const decision = buckets().take(resolved.keyId);
  if (!decision.allowed) {
    const retry = decision.retryAfterSeconds;
    return {
      ok: false,
      response: jsonError(
        429,
        "rate_limited",
        `Too many requests for this API key; retry in ${retry} s.`,
        { retryAfterSeconds: retry },
        { "Retry-After": String(retry) },
      ),
    };
  }
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
