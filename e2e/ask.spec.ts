import { startFakeLlm, type FakeLlm } from "../tests/support/fake-llm";
import { startNextServer, type NextServer } from "../tests/support/servers";
import { bearer, createKeyWithCli } from "./support/api-clients";
import { adminConnection } from "./support/database";
import { expect, test } from "./support/test";

/**
 * /ask in a real browser. The app under test (started by npm test) has no LLM configured: the page
 * says so and offers the SQL box. A second server of the same build, pointed at a local fake
 * OpenAI-compatible endpoint, shows the question -> SQL -> table -> chart path.
 */
async function acmeCount(): Promise<number> {
  const admin = adminConnection();
  try {
    const [row] = await admin<
      { n: number }[]
    >`select count(*)::int as n from conversations c join tenants t on t.id = c.tenant_id where t.slug = 'acme-health'`;
    return row!.n;
  } finally {
    await admin.end();
  }
}

test("without an LLM, /ask says so and the SQL box runs guarded SQL with the session", async ({ asUser }) => {
  test.setTimeout(90_000);
  const page = await asUser("alice");
  await page.goto("/conversations");
  await page.getByRole("link", { name: "Ask your data" }).click();
  await expect(page.getByTestId("llm-not-configured")).toContainText("No LLM is configured");
  await expect(page.getByRole("button", { name: "Ask", exact: true })).toHaveCount(0);

  await page.getByLabel("SQL statement").fill("SELECT count(*) AS conversations FROM conversations");
  await page.getByRole("button", { name: "Run SQL" }).click();
  await expect(page.getByTestId("result-table")).toContainText(String(await acmeCount()));

  await page.getByLabel("SQL statement").fill("SELECT * FROM users");
  await page.getByRole("button", { name: "Run SQL" }).click();
  await expect(page.getByTestId("sql-error")).toContainText("relation_not_allowed");

  // A series gets a chart.
  await page
    .getByLabel("SQL statement")
    .fill("SELECT date_trunc('day', started_at) AS day, count(*) FROM conversations GROUP BY 1 ORDER BY 1");
  await page.getByRole("button", { name: "Run SQL" }).click();
  await expect(page.getByTestId("result-chart")).toBeVisible();
});

test("the agent endpoints answer JSON to signed-out callers and when no LLM is configured", async ({ request }) => {
  test.setTimeout(120_000); // the key comes from the CLI, a tsx process
  const signedOut = await request.post("/api/agent/sql", { data: { sql: "select 1" } });
  expect(signedOut.status()).toBe(401);
  expect(((await signedOut.json()) as { error: { code: string } }).error.code).toBe("unauthenticated");
  const key = await createKeyWithCli("acme-health", "e2e ask without llm");
  const ask = await request.post("/api/agent/ask", { headers: bearer(key), data: { question: "How many calls?" } });
  expect(ask.status()).toBe(503);
  expect(((await ask.json()) as { error: { code: string } }).error.code).toBe("llm_not_configured");
});

test.describe("with an LLM (a fake OpenAI-compatible server over HTTP)", () => {
  test.describe.configure({ mode: "serial" });
  let llm: FakeLlm;
  let server: NextServer | undefined;
  let url = "";

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    llm = await startFakeLlm();
    server = await startNextServer({
      env: { ...process.env, OPENAI_BASE_URL: llm.url, OPENAI_API_KEY: "test-key", AI_MODEL: "fake-sql-model" },
      output: "ignore",
      timeoutMs: 120_000,
    });
    url = server.url;
  });

  test.afterAll(async () => {
    server?.stop();
    await llm?.close();
  });

  test("a question becomes SQL, a table and a chart", async ({ asUser }) => {
    test.setTimeout(90_000);
    llm.script("per day", [
      {
        sql: "SELECT date_trunc('day', started_at) AS day, count(*) AS conversations FROM conversations GROUP BY 1 ORDER BY 1",
      },
      { text: "Daily volume is shown above." },
    ]);
    // The same host as the first server (cookies ignore the port) and the same AUTH_SECRET: alice's session holds.
    const page = await asUser("alice");
    await page.goto(`${url}/ask`);
    await expect(page.getByTestId("llm-not-configured")).toHaveCount(0);
    await page.getByRole("textbox", { name: "Question" }).fill("Conversations per day, please");
    await page.getByRole("button", { name: "Ask", exact: true }).click();
    await expect(page.getByTestId("ask-question")).toHaveText("Conversations per day, please");
    await expect(page.getByTestId("ask-sql")).toContainText("date_trunc('day', started_at)");
    await expect(page.getByTestId("result-table")).toBeVisible();
    await expect(page.getByTestId("result-chart")).toBeVisible();
    await expect(page.getByTestId("ask-text")).toHaveText("Daily volume is shown above.");
    // The model saw the schema description, not any data it was not given.
    expect(JSON.stringify(llm.requests.at(-2)?.messages[0])).toContain("conversation_turns");
  });

  test("hostile SQL from the model is refused on the same guarded path (API, Bearer key)", async ({ request }) => {
    test.setTimeout(120_000);
    const key = await createKeyWithCli("acme-health", "e2e ask with llm");
    llm.script("who are the users", [
      { sql: "SELECT email FROM users" },
      { sql: "SELECT 1; COMMIT; DELETE FROM conversations" },
      { text: "I could not read them." },
    ]);
    const res = await request.post(`${url}/api/agent/ask`, {
      headers: bearer(key),
      data: { question: "who are the users of this app?" },
    });
    expect(res.status()).toBe(200);
    const body = (await res.json()) as { queries: { sql: string; error: { code: string } | null }[]; answer: string };
    expect(body.queries.map((q) => q.error?.code)).toEqual(["relation_not_allowed", "multiple_statements"]);
    expect(body.answer).toBe("I could not read them.");
  });
});
