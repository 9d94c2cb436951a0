import { actorOf, runAgentSql } from "@/features/agent-sql/run";
import { sqlRequest } from "@/features/agent-sql/wire";
import { routeCaller } from "@/lib/http/caller";
import { apiRoute, jsonError, readJsonBody } from "@/lib/http/json";

// POST /api/agent/sql {"sql": "..."}: one read-only statement through the guarded path.
export const POST = apiRoute(async (request: Request): Promise<Response> => {
  const who = await routeCaller(request, { permission: "agentSql.run", accept: ["api_key", "member"] });
  if (!who.ok) return who.response;
  const input = await readJsonBody(request, sqlRequest);
  if (!input.ok) return input.response;
  const { caller } = who;
  const outcome = await runAgentSql({
    tenantId: caller.tenantId,
    actor: actorOf(caller),
    sql: input.data.sql,
    via: "sql_endpoint",
  });
  if (outcome.ok) return Response.json(outcome.result);
  const { code, message, retryAfterSeconds } = outcome.error;
  // busy: the tenant's share of the agent pool and its queue are full (docs/agents-api.md).
  return retryAfterSeconds === undefined
    ? jsonError(400, code, message, { stoppedBy: outcome.stoppedBy })
    : jsonError(
        429,
        code,
        message,
        { stoppedBy: outcome.stoppedBy, retryAfterSeconds },
        { "Retry-After": String(retryAfterSeconds) },
      );
});
