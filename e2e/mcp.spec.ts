import { baseUrl, bearer, createKeyWithCli, mcpClient, toolText } from "./support/api-clients";
import { adminConnection } from "./support/database";
import { expect, test } from "./support/test";

/** The MCP server at /api/mcp with a real MCP client (the official SDK), authenticated by an API key. */
let acmeKey = "";
let acme = { id: "", count: 0, summaryWord: "" };
let globexMarkers: string[] = [];

// beforeAll runs in every worker that runs a test of this file, and makes API keys with the CLI: the
// file's tests run in one worker, in order, so the keys are made once (other files run in parallel).
test.describe.configure({ mode: "default" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  acmeKey = await createKeyWithCli("acme-health", "e2e mcp");
  const admin = adminConnection();
  try {
    const [row] = await admin<{ id: string; count: number }[]>`
      select t.id, (select count(*)::int from conversations c where c.tenant_id = t.id) as count from tenants t where t.slug = 'acme-health'`;
    acme = { id: row!.id, count: row!.count, summaryWord: "refill" };
    const globex = await admin<
      { id: string }[]
    >`select c.id from conversations c join tenants t on t.id = c.tenant_id where t.slug <> 'acme-health'`;
    globexMarkers = globex.map((c) => c.id);
  } finally {
    await admin.end();
  }
});

test("lists the three tools and describes the agent-visible schema", async () => {
  const client = await mcpClient(acmeKey);
  try {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["describe_schema", "run_sql", "search_conversations"]);
    const schema = toolText(await client.callTool({ name: "describe_schema", arguments: {} }));
    for (const table of ["agents", "conversations", "conversation_turns"]) expect(schema).toContain(`${table}:`);
    expect(schema).not.toContain("users");
    expect(schema).not.toContain("api_keys");
  } finally {
    await client.close();
  }
});

test("run_sql counts acme's conversations; search_conversations finds acme's only", async () => {
  const client = await mcpClient(acmeKey);
  try {
    const counted = JSON.parse(
      toolText(await client.callTool({ name: "run_sql", arguments: { sql: "SELECT count(*) FROM conversations" } })),
    ) as { rows: string[][] };
    expect(counted.rows).toEqual([[String(acme.count)]]);
    const found = JSON.parse(
      toolText(
        await client.callTool({ name: "search_conversations", arguments: { query: acme.summaryWord, limit: 50 } }),
      ),
    ) as { id: string; summary: string }[];
    expect(found.length).toBeGreaterThan(0);
    for (const c of found) expect(globexMarkers).not.toContain(c.id);
    // % and _ are literal in the search text, not wildcards.
    const wildcard = JSON.parse(
      toolText(await client.callTool({ name: "search_conversations", arguments: { query: "%" } })),
    ) as unknown[];
    expect(wildcard).toEqual([]);
  } finally {
    await client.close();
  }
});

test("without a valid key the endpoint answers 401 JSON, and the SDK client cannot connect", async ({ request }) => {
  const initialize = {
    jsonrpc: "2.0",
    id: 1,
    method: "initialize",
    params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } },
  };
  const headers = { accept: "application/json, text/event-stream" };
  const missing = await request.post("/api/mcp", { headers, data: initialize });
  expect(missing.status()).toBe(401);
  expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("missing_api_key");
  const unknown = await request.post("/api/mcp", {
    headers: { ...headers, ...bearer(`rls_live_${"x".repeat(43)}`) },
    data: initialize,
  });
  expect(unknown.status()).toBe(401);
  await expect(mcpClient(`rls_live_${"x".repeat(43)}`, `${baseUrl()}/api/mcp`)).rejects.toThrow();
  const control = await request.post("/api/mcp", { headers: { ...headers, ...bearer(acmeKey) }, data: initialize });
  expect(control.status(), "control: the same request with the key is served").toBe(200);
});
