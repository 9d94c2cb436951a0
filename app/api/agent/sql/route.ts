import { agentCaller } from "@/lib/api/agent-caller";
import { jsonError, readJsonBody } from "@/lib/api/responses";
import { sqlRequest } from "@/lib/agent-sql/wire";
import { runAgentSql } from "@/lib/agent-sql/run";

// POST /api/agent/sql {"sql": "..."}: one read-only statement through the guarded path.

export async function POST(request: Request): Promise<Response> {
  const who = await agentCaller(request);
  if (!who.ok) return who.response;
  const input = await readJsonBody(request, sqlRequest);
  if (!input.ok) return input.response;
  const outcome = await runAgentSql({
    tenantId: who.caller.tenantId,
    actor: who.caller.actor,
    sql: input.data.sql,
    via: "sql_endpoint",
  });
  return outcome.ok
    ? Response.json(outcome.result)
    : jsonError(400, outcome.error.code, outcome.error.message, { stoppedBy: outcome.stoppedBy });
}
