import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { promisify } from "node:util";
import { baseUrl, createKeyWithCli } from "./support/api-clients";
import { adminConnection } from "./support/database";
import { expect, test } from "./support/test";

/**
 * The README's shell examples, run as written against the test server: the key-creation block
 * verbatim, then every block with `curl` under bash with BASE_URL and API_KEY pointing at the test
 * server and a key for initech-salons (acme-health stays read-only for the suites that count it).
 */
const run = promisify(execFile);
const shellBlocks = [...readFileSync("README.md", "utf8").matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!);
const setupBlock = shellBlocks.find((b) => b.includes("npm run --silent apikey"))!;
const curlBlocks = shellBlocks.filter((b) => b.includes("curl "));

async function bash(script: string, env: Record<string, string> = {}) {
  const { stdout } = await run("bash", ["-euo", "pipefail", "-c", script], {
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return stdout;
}

async function initechCount(): Promise<string> {
  const admin = adminConnection();
  try {
    const [row] = await admin<
      { n: string }[]
    >`select count(*)::text as n from conversations c join tenants t on t.id = c.tenant_id where t.slug = 'initech-salons'`;
    return row!.n;
  } finally {
    await admin.end();
  }
}

test("the README's key-creation line prints a key as the last line", async () => {
  test.setTimeout(120_000);
  expect(setupBlock).toContain("--tenant acme-health");
  const out = await bash(`${setupBlock}\necho "$API_KEY"`);
  expect(out.trim().split("\n").at(-1)).toMatch(/^rls_live_[A-Za-z0-9_-]{43}$/);
});

test("every curl example in the README works against the running app", async () => {
  test.setTimeout(180_000);
  expect(curlBlocks.length).toBeGreaterThanOrEqual(6);
  const env = { BASE_URL: baseUrl(), API_KEY: await createKeyWithCli("initech-salons", "e2e readme examples") };
  for (const block of curlBlocks) {
    const out = await bash(block, env);
    const body = JSON.parse(out) as Record<string, unknown>;
    if (block.includes("/api/v1/conversations") && block.includes("-X POST")) {
      expect(body, block).toMatchObject({ agent: { name: "Front Desk Voice" }, caller: "+1 555 0142" });
    } else if (block.includes("CONVERSATION_ID")) {
      expect(Array.isArray(body.turns), block).toBe(true);
    } else if (block.includes("?limit=2")) {
      expect((body.data as unknown[]).length, block).toBe(2);
    } else if (block.includes("SELECT count(*) FROM conversations")) {
      expect(body.rows, block).toEqual([[await initechCount()]]);
    } else if (block.includes("FROM users")) {
      expect(body, block).toMatchObject({ error: { code: "relation_not_allowed", stoppedBy: "parser" } });
    } else if (block.includes("/api/mcp")) {
      const text = (body as { result: { content: { text: string }[] } }).result.content[0]!.text;
      expect((JSON.parse(text) as { rows: unknown[] }).rows.length, block).toBeGreaterThan(0);
    } else {
      throw new Error(`a README curl example this test does not check:\n${block}`);
    }
  }
});
