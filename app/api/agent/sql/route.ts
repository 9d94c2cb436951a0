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
  return outcome.ok
    ? Response.json(outcome.result)
    : jsonError(400, outcome.error.code, outcome.error.message, { stoppedBy: outcome.stoppedBy });
});
