import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { attackCategories, attacks, expectedRows, fillPlaceholders, type Attack } from "../tests/support/attack-corpus";
import { foreignMarkersIn, loadCorpusData, type CorpusData } from "../tests/support/corpus-context";
import { bearer, createKeyWithCli, mcpClient, toolText } from "./support/api-clients";
import { adminConnection } from "./support/database";
import { expect, test } from "./support/test";

/**
 * The attack corpus over HTTP against the built app, with acme-health's key: POST /api/agent/sql and
 * the MCP run_sql tool. Every statement is refused (400 / isError) or answers with acme's rows alone;
 * nothing a client sends gets a 500.
 */
let data: CorpusData;
// One key per channel keeps each under the per-key rate limit (120 requests a minute by default).
let httpKey = "";
let mcpKey = "";

// beforeAll runs in every worker that runs a test of this file, and makes API keys with the CLI: the
// file's tests run in one worker, in order, so the keys are made once (other files run in parallel).
test.describe.configure({ mode: "default" });

test.beforeAll(async () => {
  test.setTimeout(120_000); // the CLI is a tsx process: slow on a busy machine
  const admin = adminConnection();
  try {
    data = await loadCorpusData(admin);
  } finally {
    await admin.end();
  }
  [httpKey, mcpKey] = await Promise.all([
    createKeyWithCli("acme-health", "e2e attack corpus (HTTP)"),
    createKeyWithCli("acme-health", "e2e attack corpus (MCP)"),
  ]);
});

function checkAnswer(attack: Attack, sql: string, refused: boolean, body: unknown) {
  const text = JSON.stringify(body);
  expect(foreignMarkersIn(text, data.foreignMarkers, sql), `another tenant's data in the answer to: ${sql}`).toEqual(
    [],
  );
  if (attack.expect === "refused") {
    expect(refused, `expected a refusal for: ${sql}\ngot: ${text.slice(0, 300)}`).toBe(true);
  } else {
    expect(refused, `expected an answer for: ${sql}\ngot: ${text.slice(0, 300)}`).toBe(false);
    const rows = expectedRows(attack.expect, data.ctx);
    if (rows) expect((body as { rows: unknown }).rows, sql).toEqual(rows);
  }
}

for (const category of attackCategories) {
  test(`POST /api/agent/sql — ${category}`, async ({ request }) => {
    test.setTimeout(90_000);
    for (const attack of attacks.filter((a) => a.category === category)) {
      const sql = fillPlaceholders(attack.sql, data.ctx);
      const res = await request.post("/api/agent/sql", { headers: bearer(httpKey), data: { sql } });
      expect([200, 400], `${sql} -> ${res.status()}`).toContain(res.status());
      const body = (await res.json()) as { error?: { code: string; message: string } };
      if (res.status() === 400) {
        expect(body.error?.code, sql).toBeTruthy();
        expect(body.error?.message, sql).toBeTruthy();
      }
      checkAnswer(attack, sql, res.status() === 400, body);
    }
  });

  test(`MCP run_sql — ${category}`, async () => {
    test.setTimeout(90_000);
    const client: Client = await mcpClient(mcpKey);
    try {
      for (const attack of attacks.filter((a) => a.category === category)) {
        const sql = fillPlaceholders(attack.sql, data.ctx);
        const result = await client.callTool({ name: "run_sql", arguments: { sql } });
        const body = JSON.parse(toolText(result)) as unknown;
        checkAnswer(attack, sql, result.isError === true, body);
      }
    } finally {
      await client.close();
    }
  });
}
