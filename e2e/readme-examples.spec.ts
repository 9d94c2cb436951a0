import { execFile } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { baseUrl, createKeyWithCli } from "./support/api-clients";
import { adminConnection } from "./support/database";
import { expect, test } from "./support/test";

/**
 * The shell examples of README.md and every docs/*.md, run as written against the test server: the
 * key-creation block verbatim, then every block with `curl` under bash with BASE_URL and API_KEY
 * pointing at the test server and a key for initech-salons (acme-health stays read-only for the
 * suites that count it). A failure names the file and line the block came from.
 */
const run = promisify(execFile);

interface ShellBlock {
  /** "docs/agents-api.md:42": the file and the line of the block's opening fence. */
  where: string;
  script: string;
}

const documents = [
  "README.md",
  ...readdirSync("docs")
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => path.join("docs", name)),
];

// A fenced shell block, at the start of a line or indented inside a list item (its lines are then
// indented like the fence, and lose that indentation here).
const fence = /^([ \t]*)```(?:sh|bash|shell)\n([\s\S]*?)^\1```[ \t]*$/gm;

function shellBlocks(file: string): ShellBlock[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(fence)].map((m) => {
    const indent = m[1]!;
    const line = text.slice(0, m.index).split("\n").length;
    const script = m[2]!
      .split("\n")
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l))
      .join("\n");
    return { where: `${file}:${line}`, script };
  });
}

const blocks = documents.flatMap(shellBlocks);
const setupBlocks = blocks.filter((b) => b.script.includes("npm run --silent apikey"));
const curlBlocks = blocks.filter((b) => b.script.includes("curl "));

async function bash(block: ShellBlock, suffix = "", env: Record<string, string> = {}) {
  try {
    const { stdout } = await run("bash", ["-euo", "pipefail", "-c", block.script + suffix], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return stdout;
  } catch (error) {
    throw new Error(`${block.where}: the example failed:\n${block.script}\n${String(error)}`);
  }
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

test("the README and docs key-creation example prints a key as the last line", async () => {
  test.setTimeout(120_000);
  expect(setupBlocks.length, "a block with `npm run --silent apikey` in README.md or docs/*.md").toBeGreaterThan(0);
  for (const block of setupBlocks) {
    expect(block.script, block.where).toContain("--tenant acme-health");
    const out = await bash(block, `\necho "$API_KEY"`);
    expect(out.trim().split("\n").at(-1), block.where).toMatch(/^rls_live_[A-Za-z0-9_-]{43}$/);
  }
});

test("every curl example in the README and docs works against the running app", async () => {
  test.setTimeout(180_000);
  expect(curlBlocks.length, `curl blocks in ${documents.join(", ")}`).toBeGreaterThanOrEqual(6);
  const env = { BASE_URL: baseUrl(), API_KEY: await createKeyWithCli("initech-salons", "e2e readme examples") };
  for (const block of curlBlocks) {
    const { script, where } = block;
    const out = await bash(block, "", env);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(out) as Record<string, unknown>;
    } catch {
      throw new Error(`${where}: the example's output is not JSON:\n${script}\n${out}`);
    }
    const label = `${where}\n${script}`;
    if (script.includes("Idempotency-Key")) {
      expect(body.first, label).toMatch(/^[0-9a-f-]{36}$/);
      expect(body.retry, label).toBe(body.first);
    } else if (script.includes("/api/v1/conversations") && script.includes("-X POST")) {
      expect(body, label).toMatchObject({ agent: { name: "Front Desk Voice" }, caller: "+1 555 0142" });
    } else if (script.includes("CONVERSATION_ID")) {
      expect(Array.isArray(body.turns), label).toBe(true);
    } else if (script.includes("?limit=2")) {
      expect((body.data as unknown[]).length, label).toBe(2);
    } else if (script.includes("SELECT count(*) FROM conversations")) {
      expect(body.rows, label).toEqual([[await initechCount()]]);
    } else if (script.includes("FROM users")) {
      expect(body, label).toMatchObject({ error: { code: "relation_not_allowed", stoppedBy: "parser" } });
    } else if (script.includes("/api/health/live")) {
      expect(body, label).toEqual({ status: "live" });
    } else if (script.includes("/api/health/ready")) {
      expect(body, label).toMatchObject({ status: "ready", role: "app_user" });
    } else if (script.includes("/api/mcp")) {
      const text = (body as { result: { content: { text: string }[] } }).result.content[0]!.text;
      expect((JSON.parse(text) as { rows: unknown[] }).rows.length, label).toBeGreaterThan(0);
    } else {
      throw new Error(`${where}: a curl example this test does not check:\n${script}`);
    }
  }
});
