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

/**
 * Spends `cost` of the key's rate limit: 1 per request (authenticateApiKey), and the further calls a
 * request carries (an MCP batch: one per tool call). The 429 answer when the budget is short, else null.
 */
export function chargeApiKey(keyId: string, cost: number): Response | null {
  if (cost <= 0) return null;
  const decision = buckets().take(keyId, cost);
  if (decision.allowed) return null;
  const retry = decision.retryAfterSeconds;
  return jsonError(
    429,
    "rate_limited",
    cost === 1
      ? `Too many requests for this API key; retry in ${retry} s.`
      : `This request costs ${cost} calls and the API key has ${decision.remaining} left; retry in ${retry} s.`,
    { retryAfterSeconds: retry, cost, remaining: decision.remaining },
    { "Retry-After": String(retry) },
  );
}

export function hasBearer(request: Request): boolean {
  return request.headers.has("authorization");
}

export async function authenticateApiKey(request: Request): Promise<ApiKeyAuth> {
  const key = bearerToken(request.headers.get("authorization"));
  if (!key) return unauthorized("missing_api_key", "Send an API key: Authorization: Bearer rls_live_…");
  if (!isWellFormedApiKey(key)) return unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.");
  const resolved = await resolveApiKeyHash(hashApiKey(key));
  if (!resolved) return unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.");

  const limited = chargeApiKey(resolved.keyId, 1);
  if (limited) return { ok: false, response: limited };
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
