/**
 * What one MCP POST costs against the API key's rate limit: one per tool call it carries (a JSON-RPC
 * batch of 100 tools/call messages costs 100), and 1 for a request that calls no tool (initialize,
 * tools/list, notifications). The transport refuses batches above its own maximum size anyway.
 */
export function mcpRequestCost(body: unknown): number {
  const messages = Array.isArray(body) ? body : [body];
  const toolCalls = messages.filter(
    (m) => typeof m === "object" && m !== null && (m as { method?: unknown }).method === "tools/call",
  ).length;
  return Math.max(1, toolCalls);
}
