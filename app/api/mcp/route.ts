import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { mcpRequestCost } from "@/features/mcp/cost";
import { createMcpServer } from "@/features/mcp/server";
import { chargeApiKey } from "@/lib/auth/api-keys";
import { routeCaller } from "@/lib/http/caller";
import { jsonError, readJsonBody } from "@/lib/http/json";

// MCP over streamable HTTP, stateless: every POST carries the API key and gets a fresh server bound
// to that key's tenant, answering with plain JSON (no SSE stream is kept open). The key's rate limit
// is charged per tool call (features/mcp/cost.ts): a batch beyond what is left is refused whole with
// 429 and runs nothing.
export async function POST(request: Request): Promise<Response> {
  const who = await routeCaller(request, { permission: "agentSql.run", accept: ["api_key"] });
  if (!who.ok) return who.response;
  const body = await readJsonBody(request, z.unknown());
  if (!body.ok) return body.response;
  // routeCaller charged the request itself: 1.
  const limited = chargeApiKey(who.caller.keyId, mcpRequestCost(body.data) - 1);
  if (limited) return limited;
  const server = createMcpServer(who.caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { parsedBody: body.data });
  } finally {
    await server.close();
  }
}

// No server-initiated stream and no sessions to end in stateless mode.
const notAllowed = () =>
  jsonError(405, "method_not_allowed", "POST JSON-RPC messages to this endpoint.", {}, { Allow: "POST" });
export const GET = notAllowed;
export const DELETE = notAllowed;
