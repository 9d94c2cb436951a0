import { resolveApiKeyHash, withTenant } from "@/db";
import { env } from "@/lib/env";
import { jsonError } from "@/lib/api/responses";
import { bearerToken, hashApiKey, isWellFormedApiKey } from "./format";
import { TokenBuckets } from "./rate-limit";
import { touchApiKey } from "./store";

/**
 * `Authorization: Bearer <key>` -> the key's tenant. Missing, malformed, unknown and revoked keys get
 * the same kind of answer (401 JSON); a key over its rate gets 429 JSON with Retry-After.
 */
export interface ApiKeyCaller {
  tenantId: string;
  keyId: string;
}

export type ApiKeyAuth = { ok: true; caller: ApiKeyCaller } | { ok: false; response: Response };

const globalBuckets = globalThis as unknown as { __apiKeyBuckets?: TokenBuckets };
const buckets = () => (globalBuckets.__apiKeyBuckets ??= new TokenBuckets(env().API_KEY_RATE_LIMIT_PER_MINUTE));

const unauthorized = (code: string, message: string) =>
  jsonError(401, code, message, {}, { "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"' });

export function hasBearer(request: Request): boolean {
  return request.headers.has("authorization");
}

export async function authenticateApiKey(request: Request): Promise<ApiKeyAuth> {
  const key = bearerToken(request.headers.get("authorization"));
  if (!key)
    return {
      ok: false,
      response: unauthorized("missing_api_key", "Send an API key: Authorization: Bearer rls_live_…"),
    };
  if (!isWellFormedApiKey(key))
    return { ok: false, response: unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.") };
  const resolved = await resolveApiKeyHash(hashApiKey(key));
  if (!resolved)
    return { ok: false, response: unauthorized("invalid_api_key", "The API key is malformed, unknown or revoked.") };

  const decision = buckets().take(resolved.keyId);
  if (!decision.allowed) {
    return {
      ok: false,
      response: jsonError(
        429,
        "rate_limited",
        `Too many requests for this API key; retry in ${decision.retryAfterSeconds} s.`,
        { retryAfterSeconds: decision.retryAfterSeconds },
        { "Retry-After": String(decision.retryAfterSeconds) },
      ),
    };
  }
  if (!resolved.lastUsedAt || Date.now() - resolved.lastUsedAt.getTime() > 60_000) {
    await withTenant(resolved.tenantId, (tx) => touchApiKey(tx, resolved.tenantId, resolved.keyId));
  }
  return { ok: true, caller: { tenantId: resolved.tenantId, keyId: resolved.keyId } };
}
