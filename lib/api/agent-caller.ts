import { auth } from "@/auth";
import { authenticateApiKey, hasBearer } from "@/lib/api-keys/authenticate";
import type { AgentSqlActor } from "@/lib/agent-sql/run";
import { can } from "@/lib/permissions";
import { currentTenant } from "@/lib/tenancy";
import { jsonError } from "./responses";

/**
 * Who calls an agent endpoint: an API key (Authorization: Bearer), or the signed-in browser session
 * (the SQL box on /ask), whose membership is checked in the database like every page does.
 */
export interface AgentCaller {
  tenantId: string;
  actor: AgentSqlActor;
}

// currentTenant() redirects (throws NEXT_REDIRECT) when the session's membership is gone; an API
// answers with JSON instead.
const isRedirect = (error: unknown) =>
  typeof error === "object" &&
  error !== null &&
  typeof (error as { digest?: unknown }).digest === "string" &&
  (error as { digest: string }).digest.startsWith("NEXT_REDIRECT");

export async function agentCaller(
  request: Request,
): Promise<{ ok: true; caller: AgentCaller } | { ok: false; response: Response }> {
  if (hasBearer(request)) {
    const key = await authenticateApiKey(request);
    return key.ok
      ? { ok: true, caller: { tenantId: key.caller.tenantId, actor: { kind: "api_key", keyId: key.caller.keyId } } }
      : key;
  }
  const session = await auth();
  if (!session?.user?.id)
    return {
      ok: false,
      response: jsonError(401, "unauthenticated", "Sign in, or send an API key: Authorization: Bearer rls_live_…"),
    };
  // A browser can only send JSON cross-origin after a CORS preflight, which this API never grants.
  if (!(request.headers.get("content-type") ?? "").toLowerCase().startsWith("application/json")) {
    return { ok: false, response: jsonError(415, "unsupported_media_type", "Send the body as application/json.") };
  }
  try {
    const tenant = await currentTenant();
    if (!can(tenant.role, "agentSql", "run"))
      return { ok: false, response: jsonError(403, "forbidden", `A ${tenant.role} cannot run agent SQL.`) };
    return { ok: true, caller: { tenantId: tenant.tenantId, actor: { kind: "user", userId: tenant.userId } } };
  } catch (error) {
    if (isRedirect(error))
      return {
        ok: false,
        response: jsonError(403, "no_tenant_access", "Your session has no tenant you are a member of."),
      };
    throw error;
  }
}
