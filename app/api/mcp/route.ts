import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { mcpRequestCost } from "@/features/mcp/cost";
import { createMcpServer } from "@/features/mcp/server";
import { routeCaller } from "@/lib/http/caller";
import { maxBodyBytes } from "@/lib/http/body";
import { apiRoute, jsonError, readJsonBody } from "@/lib/http/json";

// MCP over streamable HTTP, stateless: every POST carries the API key and gets a fresh server bound
// to that key's tenant, answering with plain JSON (no SSE stream is kept open). The key's rate limit
// is charged per tool call (features/mcp/cost.ts): a batch beyond what is left is refused whole with
// 429 and runs nothing.
export const POST = apiRoute(async (request: Request): Promise<Response> => {
  // The body first (bounded as it streams): its tool calls are what the key's rate limit is charged,
  // in the same call that resolves the key.
  const body = await readJsonBody(request, z.unknown());
  if (!body.ok) return body.response;
  const who = await routeCaller(request, {
    permission: "agentSql.run",
    accept: ["api_key"],
    cost: mcpRequestCost(body.data),
  });
  if (!who.ok) return who.response;
  const server = createMcpServer(who.caller);
  const transport = new WebStandardStreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
    // Counted as it streams, chunked or not (the SDK's reader, with the app's one limit).
    maxRequestBodySize: maxBodyBytes,
  });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { parsedBody: body.data });
  } finally {
    await server.close();
  }
});

// No server-initiated stream and no sessions to end in stateless mode.
const notAllowed = () =>
  jsonError(405, "method_not_allowed", "POST JSON-RPC messages to this endpoint.", {}, { Allow: "POST" });
export const GET = notAllowed;
export const DELETE = notAllowed;
