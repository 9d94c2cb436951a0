import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { createMcpServer } from "@/features/mcp/server";
import { routeCaller } from "@/lib/http/caller";
import { apiRoute, jsonError } from "@/lib/http/json";

// MCP over streamable HTTP, stateless: every POST carries the API key and gets a fresh server bound
// to that key's tenant, answering with plain JSON (no SSE stream is kept open).
export const POST = apiRoute(async (request: Request): Promise<Response> => {
  const who = await routeCaller(request, { permission: "agentSql.run", accept: ["api_key"] });
  if (!who.ok) return who.response;
  const server = createMcpServer(who.caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request);
  } finally {
    await server.close();
  }
});

// No server-initiated stream and no sessions to end in stateless mode.
const notAllowed = () =>
  jsonError(405, "method_not_allowed", "POST JSON-RPC messages to this endpoint.", {}, { Allow: "POST" });
export const GET = notAllowed;
export const DELETE = notAllowed;
