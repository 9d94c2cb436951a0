import { withTenant, type TenantTx } from "@/db";
import { authenticateApiKey, hasBearer } from "@/lib/auth/api-keys";
import { lookupTenantSession, type TenantSession } from "@/lib/auth/session";
import { apiKeyPermissions, can, refusal, type Permission } from "@/lib/permissions";
import { jsonError } from "./json";

/**
 * The one way a route handler learns who is calling: a signed-in member of the active tenant (the
 * browser session, membership checked in the database) or an API key (the key is the tenant), then
 * the permission table. Every refusal is JSON in the same shape (lib/http/json.ts):
 * 401 unauthenticated / missing_api_key / invalid_api_key, 403 no_tenant_access / forbidden,
 * 415 for a session POST that is not JSON, 429 rate_limited.
 *
 *   const who = await routeCaller(request, { permission: "conversations.read", accept: ["api_key"] });
 *   if (!who.ok) return who.response;
 */
export type Caller =
  | { kind: "member"; tenantId: string; userId: string; session: TenantSession }
  | { kind: "api_key"; tenantId: string; keyId: string };

export type CallerLookup<C extends Caller = Caller> = { ok: true; caller: C } | { ok: false; response: Response };

type Refusal = { ok: false; response: Response };

export async function routeCaller<K extends Caller["kind"]>(
  request: Request,
  options: { permission: Permission; accept: readonly K[]; cost?: number },
): Promise<CallerLookup<Extract<Caller, { kind: K }>>> {
  const found = await identify(request, options);
  // identify() only answers with a kind that `accept` lists.
  return found as CallerLookup<Extract<Caller, { kind: K }>>;
}

async function identify(
  request: Request,
  options: { permission: Permission; accept: readonly Caller["kind"][]; cost?: number },
): Promise<CallerLookup> {
  const acceptsSession = options.accept.includes("member");
  if (options.accept.includes("api_key") && (hasBearer(request) || !acceptsSession)) {
    const key = await authenticateApiKey(request, options.cost);
    if (!key.ok) return key;
    if (!apiKeyPermissions.includes(options.permission)) {
      return refused(403, "forbidden", refusal("API key", options.permission));
    }
    return { ok: true, caller: { kind: "api_key", ...key.caller } };
  }
  const found = await lookupTenantSession();
  if (!found.ok) {
    return found.reason === "signed_out"
      ? refused(401, "unauthenticated", signInHint(options.accept))
      : refused(403, "no_tenant_access", "Your session has no tenant you are a member of.");
  }
  // A browser sends a JSON body cross-origin only after a CORS preflight, which this app never grants.
  const writes = request.method !== "GET" && request.method !== "HEAD";
  if (writes && !(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    return refused(415, "unsupported_media_type", "Send the body as application/json.");
  }
  const { session } = found;
  if (!can(session.role, options.permission)) {
    return refused(403, "forbidden", refusal(session.role, options.permission));
  }
  return { ok: true, caller: { kind: "member", tenantId: session.tenantId, userId: session.userId, session } };
}

/**
 * withTenant for the caller's tenant; a member's user id goes into the context too. `{ read: true }`
 * for reads the hot standby may serve (see TenantOptions in db/tenant.ts).
 */
export function withCaller<T>(
  caller: Caller,
  fn: (tx: TenantTx) => Promise<T>,
  options: { read?: boolean } = {},
): Promise<T> {
  return withTenant(caller.tenantId, fn, {
    ...options,
    ...(caller.kind === "member" ? { userId: caller.userId } : {}),
  });
}

/** The 404 of every route handler: another tenant's id, a missing one and a malformed one look alike. */
export function notFoundJson(message: string): Response {
  return jsonError(404, "not_found", message);
}

function refused(status: number, code: string, message: string): Refusal {
  return { ok: false, response: jsonError(status, code, message) };
}

function signInHint(accept: readonly Caller["kind"][]): string {
  return accept.includes("api_key")
    ? "Sign in, or send an API key: Authorization: Bearer rls_live_…"
    : "Sign in to use this endpoint.";
}
