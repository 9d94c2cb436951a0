import { actorOf } from "@/features/agent-sql/run";
import { askRequest } from "@/features/agent-sql/wire";
import { ask, llmConfigured, LlmFailedError } from "@/features/ask/ask";
import { routeCaller } from "@/lib/http/caller";
import { apiRoute, jsonError, readJsonBody } from "@/lib/http/json";

// POST /api/agent/ask {"question": "..."}: the LLM writes SQL, the guarded path runs it.
export const POST = apiRoute(async (request: Request): Promise<Response> => {
  const who = await routeCaller(request, { permission: "agentSql.run", accept: ["api_key", "member"] });
  if (!who.ok) return who.response;
  const input = await readJsonBody(request, askRequest);
  if (!input.ok) return input.response;
  if (!llmConfigured()) {
    return jsonError(
      503,
      "llm_not_configured",
      "No LLM is configured (OPENAI_BASE_URL / OPENAI_API_KEY / AI_MODEL); use POST /api/agent/sql directly.",
    );
  }
  try {
    return Response.json(await ask(input.data.question, { tenantId: who.caller.tenantId, actor: actorOf(who.caller) }));
  } catch (error) {
    if (error instanceof LlmFailedError) return jsonError(502, "llm_failed", error.message);
    throw error;
  }
});
