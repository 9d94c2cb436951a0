import { agentCaller } from "@/lib/api/agent-caller";
import { jsonError, readJsonBody } from "@/lib/api/responses";
import { askRequest } from "@/lib/agent-sql/wire";
import { ask, llmConfigured, LlmFailedError } from "@/lib/ask/ask";

// POST /api/agent/ask {"question": "..."}: the LLM writes SQL, the guarded path runs it.
export async function POST(request: Request): Promise<Response> {
  const who = await agentCaller(request);
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
    return Response.json(await ask(input.data.question, who.caller));
  } catch (error) {
    if (error instanceof LlmFailedError) return jsonError(502, "llm_failed", error.message);
    throw error;
  }
}
