import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { startEmbedded, type EmbeddedServer } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed/seed";
import { dbEnv, roleDatabaseUrl } from "@/db/env";

/**
 * `npm test`: type check, lint, then the RLS lint and every suite against a real PostgreSQL (a
 * throwaway embedded cluster, or DATABASE_URL when set) and the real app in a real browser. Ends with one line:
 * "N passed, N failed, N skipped". Skipped tests fail the run: nothing is counted as passed unrun.
 */
// Flags for a faster loop while developing: `npm test -- --no-e2e tests/db/rls-lint.test.ts`
// (positional arguments filter the node:test files; --no-checks skips tsc and eslint).
const args = process.argv.slice(2);
const skipChecks = args.includes("--no-checks");
const skipE2e = args.includes("--no-e2e");
const fileFilters = args.filter((a) => !a.startsWith("--"));
// --e2e-grep=<pattern>: only the browser tests whose title matches (development loop only).
const e2eGrep = args.find((a) => a.startsWith("--e2e-grep="))?.slice("--e2e-grep=".length);

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
}
const total: Tally = { passed: 0, failed: 0, skipped: 0 };
const timings: string[] = [];
const started = Date.now();
process.env.NEXT_TELEMETRY_DISABLED = "1";

function run(
  command: string,
  args: string[],
  extraEnv: Record<string, string> = {},
  capture = false,
  echo = true,
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...extraEnv },
      stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    });
    let output = "";
    child.stdout?.on("data", (d: Buffer) => {
      output += d.toString();
      if (echo) process.stdout.write(d);
    });
    child.stderr?.on("data", (d: Buffer) => {
      output += d.toString();
      if (echo) process.stderr.write(d);
    });
    child.on("exit", (code) => resolve({ code: code ?? 1, output }));
  });
}

async function step(name: string, fn: () => Promise<void>) {
  const t0 = Date.now();
  console.log(`\n=== ${name}`);
  await fn();
  timings.push(`${name}: ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

async function check(name: string, command: string, args: string[]) {
  await step(name, async () => {
    const { code } = await run(command, args);
    if (code === 0) total.passed++;
    else total.failed++;
  });
}

/**
 * Checks that read the source only (no database), run side by side: on 2 cores the type-aware lint,
 * the longest, overlaps the type check, the architecture check and the format check. Each prints its
 * output once it has ended, in the order listed, and counts as one check.
 */
async function checksSideBySide(checks: { name: string; command: string; args: string[] }[]) {
  const t0 = Date.now();
  console.log(`\n=== ${checks.map((c) => c.name).join(", ")} (side by side)`);
  const running = checks.map(async (c) => {
    const started = Date.now();
    const { code, output } = await run(c.command, c.args, {}, true, false);
    return { ...c, code, output, seconds: ((Date.now() - started) / 1000).toFixed(1) };
  });
  const each: string[] = [];
  for (const ended of running) {
    const c = await ended;
    console.log(`\n--- ${c.name}: ${c.code === 0 ? "ok" : `FAILED (exit ${c.code})`} in ${c.seconds} s`);
    if (c.output) process.stdout.write(c.output.endsWith("\n") ? c.output : `${c.output}\n`);
    each.push(`${c.name} ${c.seconds} s`);
    if (c.code === 0) total.passed++;
    else total.failed++;
  }
  timings.push(`checks, side by side: ${((Date.now() - t0) / 1000).toFixed(1)} s (${each.join(", ")})`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full, suffix) : full.endsWith(suffix) ? [full] : [];
  });
}

async function waitForHttp(url: string, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

class SkipRest extends Error {}

let embedded: EmbeddedServer | undefined;
let scratch: string | undefined;
const children: { kill(signal?: NodeJS.Signals): boolean }[] = [];
let exitCode = 1;

try {
  if (!skipChecks) {
    await checksSideBySide([
      { name: "lint (eslint, type-aware)", command: "npx", args: ["eslint", "--max-warnings", "0", "."] },
      { name: "type check (tsc --noEmit)", command: "npx", args: ["tsc", "--noEmit"] },
      // The command is package.json's lint:architecture (tests/lint/planted-violations.test.ts runs it too).
      { name: "architecture (dependency-cruiser)", command: "npm", args: ["run", "--silent", "lint:architecture"] },
      {
        name: "format (prettier --check)",
        command: "npx",
        args: ["prettier", "--check", "--log-level", "warn", "."],
      },
    ]);
  }

  await step("database", async () => {
    process.env.TENANT_CONTEXT_SECRET = randomBytes(32).toString("base64url");
    process.env.AUTH_SECRET = randomBytes(32).toString("base64url");
    if (!process.env.DATABASE_URL) {
      // A throwaway cluster in the system temp dir (readable by the postgres OS user when root).
      scratch = mkdtempSync(path.join(os.tmpdir(), "rls-starter-test-"));
      chmodSync(scratch, 0o755);
      embedded = await startEmbedded({
        dataDir: path.join(scratch, "pg"),
        port: await freePort(),
        password: randomBytes(12).toString("hex"),
        unsafeFast: true,
      });
      process.env.DATABASE_URL = embedded.url;
      console.log(`Embedded PostgreSQL started in ${scratch}`);
    } else {
      console.log("Using DATABASE_URL (its data is replaced by the demo seed).");
    }
    await migrateDatabase(dbEnv());
    await seedDatabase(process.env.DATABASE_URL, { tenants: 3, conversationsPerTenant: 320, reset: true });
  });

  // The RLS lint of the migrated database: any finding fails the run (one check).
  await check("RLS lint (npm run db:lint)", "npx", ["tsx", "scripts/db-lint.ts"]);

  const suiteEnv = { DB_POOL_MAX: "1", TENANT_CONTEXT_TTL_SECONDS: "2" };
  await step("database tests (node:test)", async () => {
    const testFiles = files("tests", ".test.ts")
      .filter((f) => fileFilters.length === 0 || fileFilters.some((filter) => f.includes(filter)))
      .sort();
    const { code, output } = await run(
      "node",
      ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...testFiles],
      suiteEnv,
      true,
    );
    const count = (label: string) => Number(new RegExp(`ℹ ${label} (\\d+)`).exec(output)?.[1] ?? 0);
    total.passed += count("pass");
    total.failed += count("fail") + (code !== 0 && count("fail") === 0 ? 1 : 0);
    total.skipped += count("skipped") + count("todo");
  });

  if (skipE2e) throw new SkipRest();
  await step("build (next build)", async () => {
    const { code } = await run("npx", ["next", "build"], { NODE_ENV: "production" });
    if (code !== 0) {
      total.failed++;
      throw new Error("next build failed");
    }
  });

  await step("browser tests (Playwright, Chromium)", async () => {
    const port = await freePort();
    const server = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], {
      env: { ...process.env, NODE_ENV: "production", SHOW_DEMO_ACCOUNTS: "true" },
      stdio: "inherit",
      detached: true,
    });
    children.push({ kill: (signal) => (server.pid ? process.kill(-server.pid, signal) : false) });
    await waitForHttp(`http://127.0.0.1:${port}/login`, 60_000);
    const { code } = await run("npx", ["playwright", "test", ...(e2eGrep ? ["--grep", e2eGrep] : [])], {
      E2E_BASE_URL: `http://127.0.0.1:${port}`,
      E2E_ADMIN_DATABASE_URL: roleDatabaseUrl("platform_admin"),
      // The owner (may write, bypasses RLS): for cases that set up or break data (scratch workspaces, removed memberships).
      E2E_OWNER_DATABASE_URL: process.env.DATABASE_URL!,
    });
    const report = JSON.parse(readFileSync("test-results/e2e.json", "utf8")) as {
      stats: { expected: number; unexpected: number; skipped: number; flaky: number };
    };
    total.passed += report.stats.expected + report.stats.flaky;
    total.failed += report.stats.unexpected + (code !== 0 && report.stats.unexpected === 0 ? 1 : 0);
    total.skipped += report.stats.skipped;
  });
  exitCode = total.failed === 0 && total.skipped === 0 ? 0 : 1;
} catch (error) {
  if (error instanceof SkipRest) {
    console.log("\n(--no-e2e: build and browser tests not run; this is not a full test run)");
    exitCode = total.failed === 0 && total.skipped === 0 ? 0 : 1;
  } else {
    console.error(error instanceof Error ? error.message : error);
    total.failed++;
  }
} finally {
  for (const child of children) {
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
  }
  await embedded?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  console.log(`\n${timings.join("\n")}\ntotal: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
  process.exit(exitCode);
}
