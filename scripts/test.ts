import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { startEmbedded, type EmbeddedServer } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed/seed";
import { dbEnv, parseDbEnv, roleDatabaseUrl, type DbRole } from "@/db/env";
import { distributeSchema } from "@/db/citus/distribute";
import { freePort, startNextServer, type NextServer } from "../tests/support/servers";
import { findSecrets, urlPassword, type KnownSecret } from "../tests/support/log-secrets";
import { nodeTestFailures, playwrightFailures } from "../tests/support/failed-tests";
import { newPassword } from "../e2e/support/accounts";
import { demoPassword, demoUsers, storedSessionFile, type DemoUser } from "../e2e/support/demo-users";
import { citusInstalled, citusInstallHint, startCitusCluster, type CitusCluster } from "../tests/support/citus";

/**
 * `npm test`: type check, lint, format, architecture, then the RLS lint and every suite against a real PostgreSQL (a
 * throwaway embedded cluster, or DATABASE_URL when set) and the real app in a real browser. Ends with one line:
 * "N passed, N failed, N skipped". Skipped tests fail the run: nothing is counted as passed unrun.
 *
 * The machine is assumed to have two cores, so the steps run in two lanes, then the browser tests:
 *
 *   npm run build → tsc (it reads the route types the build writes) ─┐
 *   eslint → prettier → dependency-cruiser                           ├─ Playwright suites → secret scan
 *   PostgreSQL, migrate, seed → RLS lint  → node:test suites ────────┘→ Citus suites
 *
 * The browser suites run the production server as the image does (`node .next/standalone/start.mjs`,
 * tests/support/servers.ts): `npm run build` is `next build`, then scripts/build-standalone.ts.
 *
 * The secret scan reads what the app server printed during the whole browser run (kept in
 * test-logs/app-server.log) for the run's secrets and for anything shaped like a key or token.
 *
 * The Citus suites (tests/citus/) run on a coordinator and two workers started here, when Citus is
 * installed (scripts/citus/build.sh; .ci/run builds it). Without it they are reported as not run, which
 * fails the run when CI=true.
 *
 * The browser tests wait for the node:test suites, whose database they share (on a database of their
 * own, running both at once made both two to four times slower on a busy machine). Output lines are
 * prefixed with their step's name; the times at the end say when each step started and ended.
 */
// Flags for a faster loop while developing: `npm test -- --no-e2e tests/db/rls-lint.test.ts`
// (positional arguments filter the node:test files; --no-checks skips tsc, eslint, prettier and dependency-cruiser).
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
const started = Date.now();
const seconds = (ms: number) => (ms / 1000).toFixed(1);
const timings: { name: string; from: number; to: number }[] = [];
const notRun: string[] = [];
/** What failed, one line each, printed at the end: the end of the output is often all a CI page shows. */
const failures: string[] = [];
process.env.NEXT_TELEMETRY_DISABLED = "1";
process.env.TENANT_CONTEXT_SECRET = randomBytes(32).toString("base64url");
process.env.AUTH_SECRET = randomBytes(32).toString("base64url");

const children = new Set<ChildProcess>();
const tagWidth = 9;

/** Writes `text` line by line, each line prefixed with the step's tag (steps run at the same time). */
function prefixed(tag: string, stream: NodeJS.WriteStream) {
  let pending = "";
  const prefix = `${tag.padEnd(tagWidth)}│ `;
  return {
    write(text: string) {
      pending += text;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      if (lines.length > 0) stream.write(lines.map((l) => prefix + l).join("\n") + "\n");
    },
    flush() {
      if (pending) stream.write(prefix + pending + "\n");
      pending = "";
    },
  };
}

function log(tag: string, line: string) {
  process.stdout.write(`${tag.padEnd(tagWidth)}│ ${line}\n`);
}

function run(
  tag: string,
  command: string,
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, {
      env: { ...process.env, ...extraEnv },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.add(child);
    const out = prefixed(tag, process.stdout);
    const err = prefixed(tag, process.stderr);
    let output = "";
    child.stdout.on("data", (d: Buffer) => {
      output += d.toString();
      out.write(d.toString());
    });
    child.stderr.on("data", (d: Buffer) => {
      output += d.toString();
      err.write(d.toString());
    });
    child.on("error", (error) => {
      output += String(error);
      err.write(`${String(error)}\n`);
    });
    child.on("close", (code) => {
      children.delete(child);
      out.flush();
      err.flush();
      resolve({ code: code ?? 1, output });
    });
  });
}

/**
 * Runs one step and records when it started and ended. A step that throws counts as one failure;
 * it returns false then, and the steps that need it do not run (and say so).
 */
async function step(name: string, tag: string, fn: () => Promise<void>): Promise<boolean> {
  const from = Date.now() - started;
  log(tag, `=== ${name}`);
  try {
    await fn();
    return true;
  } catch (error) {
    total.failed++;
    const message = error instanceof Error ? error.message : String(error);
    log(tag, `${name} failed: ${message}`);
    failures.push(`${name}: ${message.split("\n")[0]}`);
    return false;
  } finally {
    timings.push({ name, from, to: Date.now() - started });
  }
}

/** A command whose exit status is one check: passed or failed. */
function check(name: string, tag: string, command: string, args: string[]): Promise<boolean> {
  return step(name, tag, async () => {
    const { code } = await run(tag, command, args);
    if (code !== 0) throw new Error(`exit status ${code}`);
    total.passed++;
  });
}

/**
 * Runs `next` once every step in `needs` has ended, if those in `mustSucceed` succeeded; otherwise
 * records that it did not run.
 */
async function after(
  needs: { mustSucceed: Promise<boolean>[]; mustEnd?: Promise<unknown>[] },
  name: string,
  next: () => Promise<boolean>,
): Promise<boolean> {
  const [succeeded] = await Promise.all([Promise.all(needs.mustSucceed), Promise.all(needs.mustEnd ?? [])]);
  if (succeeded.every(Boolean)) return next();
  notRun.push(name);
  return false;
}

function files(dir: string, suffix: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full, suffix) : full.endsWith(suffix) ? [full] : [];
  });
}

/** Suites that run on the Citus cluster only. */
const citusTestDir = path.join("tests", "citus");

let embedded: EmbeddedServer | undefined;
let scratch: string | undefined;
let appServer: NextServer | undefined;
let citus: CitusCluster | undefined;

async function stopEverything() {
  appServer?.stop();
  citus?.stop();
  for (const child of children) child.kill("SIGTERM");
  await embedded?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping`);
    void stopEverything().finally(() => process.exit(1));
  });
}

// The build needs no database: it starts at once.
const build = skipE2e
  ? Promise.resolve(false)
  : step("build (npm run build: next build, standalone server)", "build", async () => {
      const { code } = await run("build", "npx", ["next", "build"], { NODE_ENV: "production" });
      if (code !== 0) throw new Error(`next build exited with ${code}`);
      const packaged = await run("build", "npx", ["tsx", "scripts/build-standalone.ts"]);
      if (packaged.code !== 0) throw new Error(`scripts/build-standalone.ts exited with ${packaged.code}`);
    });

// eslint and prettier ignore what the build writes (.next/, next-env.d.ts); tsc reads it (the route
// types in .next/types), so it runs once the build is over, never while the build rewrites them.
const checks = skipChecks
  ? Promise.resolve()
  : Promise.all([
      (async () => {
        await check("lint (eslint)", "eslint", "npx", ["eslint", "--max-warnings", "0", "."]);
        await check("format (prettier --check)", "prettier", "npx", [
          "prettier",
          "--check",
          "--log-level",
          "warn",
          ".",
        ]);
        // package.json's lint:architecture (tests/lint/planted-violations.test.ts runs it too).
        await check("architecture (dependency-cruiser)", "depcruise", "npm", ["run", "--silent", "lint:architecture"]);
      })(),
      build.then(() => check("type check (tsc --noEmit)", "tsc", "npx", ["tsc", "--noEmit"])),
    ]);

const database = step("database", "database", async () => {
  if (!process.env.DATABASE_URL) {
    // A throwaway cluster in the system temp dir (readable by the postgres OS user when root).
    scratch = mkdtempSync(path.join(os.tmpdir(), "rls-starter-test-"));
    chmodSync(scratch, 0o755);
    embedded = await startEmbedded({
      dataDir: path.join(scratch, "pg"),
      port: await freePort(),
      password: randomBytes(12).toString("hex"),
      unsafeFast: true,
      log: (line) => log("database", line),
    });
    process.env.DATABASE_URL = embedded.url;
    log("database", `Embedded PostgreSQL started in ${scratch}`);
  } else {
    log("database", "Using DATABASE_URL (its data is replaced by the demo seed).");
  }
  await migrateDatabase(dbEnv(), (line) => log("database", line));
  await seedDatabase(process.env.DATABASE_URL, {
    tenants: 3,
    conversationsPerTenant: 320,
    reset: true,
    log: (line) => log("database", line),
  });
});

// The RLS lint of the migrated database: any finding fails the run (one check).
const audit = after({ mustSucceed: [database] }, "RLS lint", () =>
  check("RLS lint (npm run db:lint)", "rls-lint", "npx", ["tsx", "scripts/db-lint.ts"]),
);

// After the audit, passed or not (a finding is one failed check): some suites create superuser and
// BYPASSRLS roles for a moment, roles are cluster-wide, and the lint would report them.
const nodeTests = after({ mustSucceed: [database], mustEnd: [audit] }, "database tests (node:test)", () =>
  step("database tests (node:test)", "node:test", async () => {
    const testFiles = selected(files("tests", ".test.ts").filter((f) => !f.startsWith(citusTestDir)));
    await nodeTest("node:test", testFiles, {});
  }),
);

/** The test files the positional arguments select (all when there are none). */
function selected(testFiles: string[]): string[] {
  return testFiles.filter((f) => fileFilters.length === 0 || fileFilters.some((filter) => f.includes(filter))).sort();
}

/** Runs node:test files and adds their counts to the tally. */
async function nodeTest(tag: string, testFiles: string[], env: Record<string, string>): Promise<void> {
  const { code, output } = await run(
    tag,
    "node",
    ["--import", "tsx", "--test", "--test-concurrency=1", "--test-reporter=spec", ...testFiles],
    { DB_POOL_MAX: "1", TENANT_CONTEXT_TTL_SECONDS: "2", ...env },
  );
  const count = (label: string) => Number(new RegExp(`ℹ ${label} (\\d+)`).exec(output)?.[1] ?? 0);
  total.passed += count("pass");
  total.failed += count("fail") + (code !== 0 && count("fail") === 0 ? 1 : 0);
  total.skipped += count("skipped") + count("todo");
  failures.push(...nodeTestFailures(output));
  if (code !== 0 && count("fail") === 0) failures.push(`${tag}: exit status ${code} with no failed test reported`);
}

const appOutput = { stdout: prefixed("app", process.stdout), stderr: prefixed("app", process.stderr) };
// Everything the app server prints during the browser run, for the secret scan at the end.
let appLog = "";
const appLogFile = path.join("test-logs", "app-server.log");

/** The run's secrets, by value: what must never appear in a log line. */
function runSecrets(): KnownSecret[] {
  const secrets: KnownSecret[] = [
    { what: "TENANT_CONTEXT_SECRET", value: process.env.TENANT_CONTEXT_SECRET! },
    { what: "AUTH_SECRET", value: process.env.AUTH_SECRET! },
    { what: "the demo accounts' password", value: demoPassword },
    { what: "the password of accounts made by tests", value: newPassword },
  ];
  for (const [what, url] of [
    ["the owner's database password", process.env.DATABASE_URL],
    ...(["app_user", "agent_reader", "platform_admin"] as DbRole[]).map((role) => [
      `${role}'s database password`,
      roleDatabaseUrl(role),
    ]),
  ] as const) {
    const value = urlPassword(url);
    if (value) secrets.push({ what, value });
  }
  // The demo users' session cookies, as signed in for this run.
  for (const user of Object.keys(demoUsers) as DemoUser[]) {
    if (!existsSync(storedSessionFile(user))) continue;
    const state = JSON.parse(readFileSync(storedSessionFile(user), "utf8")) as { cookies: { value: string }[] };
    for (const cookie of state.cookies) secrets.push({ what: `${user}'s session cookie`, value: cookie.value });
  }
  return secrets;
}
// The browser tests need the build and the database, which they share with the node:test suites: they
// start when those end.
const browserTests = skipE2e
  ? Promise.resolve(false)
  : after({ mustSucceed: [build, database], mustEnd: [nodeTests] }, "browser tests (Playwright, Chromium)", () =>
      step("browser tests (Playwright, Chromium)", "e2e", async () => {
        appServer = await startNextServer({
          env: { ...process.env, SHOW_DEMO_ACCOUNTS: "true" },
          output: (text, stream) => {
            appLog += text;
            appOutput[stream].write(text);
          },
          timeoutMs: 60_000,
        });
        const reportFile = "test-results/e2e.json";
        rmSync(reportFile, { force: true });
        const { code } = await run("e2e", "npx", ["playwright", "test", ...(e2eGrep ? ["--grep", e2eGrep] : [])], {
          E2E_BASE_URL: appServer.url,
          E2E_ADMIN_DATABASE_URL: roleDatabaseUrl("platform_admin"),
          // The owner (may write, bypasses RLS): for cases that set up or break data (scratch workspaces, removed memberships).
          E2E_OWNER_DATABASE_URL: process.env.DATABASE_URL!,
        });
        appServer.stop();
        appOutput.stdout.flush();
        appOutput.stderr.flush();
        const report = JSON.parse(readFileSync(reportFile, "utf8")) as Parameters<typeof playwrightFailures>[0] & {
          stats: { expected: number; unexpected: number; skipped: number; flaky: number };
        };
        total.passed += report.stats.expected + report.stats.flaky;
        total.failed += report.stats.unexpected + (code !== 0 && report.stats.unexpected === 0 ? 1 : 0);
        total.skipped += report.stats.skipped;
        failures.push(...playwrightFailures(report).map((f) => `e2e/${f}`));
        if (code !== 0 && report.stats.unexpected === 0)
          failures.push(`Playwright: exit status ${code} with no failed test reported`);
      }),
    ).then(async (ran) => {
      if (!ran) return false;
      return step("no secret in the app server's output", "secrets", async () => {
        mkdirSync(path.dirname(appLogFile), { recursive: true });
        writeFileSync(appLogFile, appLog);
        const findings = findSecrets(appLog, runSecrets());
        if (findings.length > 0) {
          const list = findings.map((f) => `line ${f.line}: ${f.what}`).join("\n  ");
          throw new Error(`secrets in ${appLogFile}:\n  ${list}`);
        }
        log("secrets", `${appLog.split("\n").length} lines of ${appLogFile} scanned: no secret`);
        total.passed++;
      });
    });

// The Citus suites: their own cluster (migrate, seed, then distribute: the path of a database with data),
// after the other suites and the browser tests, so that they do not compete for the machine's cores.
/** Set when the Citus suites could not run: printed at the end, never counted as passed. */
let notRunCitus: string | undefined;
const citusFiles = selected(files(citusTestDir, ".test.ts"));
const citusTests =
  citusFiles.length === 0
    ? Promise.resolve(false)
    : after({ mustSucceed: [], mustEnd: [nodeTests, browserTests] }, "Citus suites", () =>
        step("Citus suites (node:test on a coordinator and two workers)", "citus", async () => {
          if (!citusInstalled()) {
            const line = `not run: Citus not installed (${citusInstallHint}); ${citusFiles.length} suite files not run`;
            log("citus", line);
            notRunCitus = line;
            if (process.env.CI === "true") throw new Error(`${line}; CI=true requires them`);
            return;
          }
          const dir = mkdtempSync(path.join(os.tmpdir(), "rls-starter-citus-"));
          chmodSync(dir, 0o755);
          try {
            citus = await startCitusCluster(dir, (line) => log("citus", line));
            const env = { DATABASE_URL: citus.url, DB_CITUS: "true" };
            const citusEnv = parseDbEnv({
              ...process.env,
              APP_DATABASE_URL: undefined,
              AGENT_DATABASE_URL: undefined,
              ADMIN_DATABASE_URL: undefined,
              ...env,
            });
            await migrateDatabase(citusEnv, (line) => log("citus", line));
            await seedDatabase(citus.url, {
              tenants: 3,
              conversationsPerTenant: 320,
              reset: true,
              log: (line) => log("citus", line),
            });
            // 8 shards per table rather than 32: fanned-out queries cost one task per shard on two shared cores.
            await distributeSchema(citusEnv, (line) => log("citus", line), { shardCount: 8 });
            await nodeTest("citus", citusFiles, env);
          } finally {
            citus?.stop();
            citus = undefined;
            rmSync(dir, { recursive: true, force: true });
          }
        }),
      );

await Promise.all([checks, nodeTests, browserTests, citusTests]);
await stopEverything();

if (skipE2e) console.log("\n(--no-e2e: build and browser tests not run; this is not a full test run)");
console.log("");
for (const t of timings.sort((a, b) => a.from - b.from)) {
  console.log(`${t.name}: ${seconds(t.to - t.from)} s (from ${seconds(t.from)} s to ${seconds(t.to)} s)`);
}
for (const name of notRun) console.log(`${name}: not run (a step it needs failed)`);
if (notRunCitus) console.log(`Citus suites: ${notRunCitus}`);
console.log(`total: ${seconds(Date.now() - started)} s`);
for (const failure of failures) console.log(`failed: ${failure}`);
console.log(`${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped`);
process.exit(total.failed === 0 && total.skipped === 0 ? 0 : 1);
