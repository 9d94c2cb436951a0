import { randomBytes } from "node:crypto";
import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { startEmbedded, type EmbeddedServer } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { parseDbEnv } from "@/db/env";
import { seedDatabase } from "@/db/seed/seed";
import { freePort, startNextServer, type NextServer } from "../tests/support/servers";
import { expect, test } from "./support/test";

/**
 * The production server as the image runs it (`node .next/standalone/start.mjs`), on a PostgreSQL of
 * its own that this file stops and starts: the health endpoints, and a graceful shutdown with an ingest
 * in flight. No browser: HTTP only.
 */
const run = promisify(execFile);

test.describe.configure({ mode: "serial" });

let scratch: string;
let port: number;
let password: string;
let database: EmbeddedServer | undefined;
let server: NextServer | undefined;
let serverEnv: NodeJS.ProcessEnv;
let apiKey: string;
let agentName: string;

const startDatabase = async () =>
  (database = await startEmbedded({
    dataDir: path.join(scratch, "pg"),
    port,
    password,
    unsafeFast: true,
    log: () => undefined,
  }));

function owner() {
  return postgres(database!.url, { max: 2, onnotice: () => undefined });
}

const startServer = () => startNextServer({ env: serverEnv, output: "ignore", timeoutMs: 120_000 });

async function health(kind: "live" | "ready"): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${server!.url}/api/health/${kind}`, { redirect: "manual" });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function eventually(kind: "live" | "ready", status: number, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await health(kind);
    if (answer.status === status || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 250));
  }
}

test.beforeAll(async () => {
  test.setTimeout(240_000);
  scratch = mkdtempSync(path.join(os.tmpdir(), "rls-starter-prod-"));
  chmodSync(scratch, 0o755);
  port = await freePort();
  password = randomBytes(12).toString("hex");
  await startDatabase();
  const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: database!.url };
  for (const name of ["APP_DATABASE_URL", "AGENT_DATABASE_URL", "ADMIN_DATABASE_URL"]) delete env[name];
  serverEnv = env;
  await migrateDatabase(parseDbEnv(env), () => undefined);
  await seedDatabase(database!.url, { tenants: 1, conversationsPerTenant: 2, log: () => undefined });
  const db = owner();
  const [tenant] = await db<{ slug: string; agent: string }[]>`
    select t.slug, a.name as agent from tenants t join agents a on a.tenant_id = t.id order by t.slug, a.name limit 1`;
  await db.end();
  agentName = tenant!.agent;
  const { stdout } = await run(
    process.execPath,
    ["--import", "tsx", "scripts/apikey.ts", "create", "--tenant", tenant!.slug, "--name", "shutdown test"],
    { env },
  );
  apiKey = stdout.trim().split("\n").at(-1)!;
  server = await startServer();
});

test.afterAll(async () => {
  server?.stop();
  await database?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test("liveness and readiness answer without a session; readiness is 503 while the database is stopped", async () => {
  test.setTimeout(120_000);
  expect(await health("live")).toEqual({ status: 200, body: { status: "live" } });
  const ready = await health("ready");
  expect(ready.status).toBe(200);
  expect(ready.body).toMatchObject({ status: "ready", role: "app_user" });

  await database!.stop();
  const down = await eventually("ready", 503);
  expect(down.status).toBe(503);
  expect(down.body).toMatchObject({ status: "not ready", reason: expect.stringMatching(/^database unreachable/) });
  expect((await health("live")).status, "liveness does not depend on the database").toBe(200);

  await startDatabase();
  const back = await eventually("ready", 200);
  expect(back).toMatchObject({ status: 200, body: { status: "ready" } });
});

test("readiness is 503 with a migration missing or a context key that does not verify this server's tokens", async () => {
  test.setTimeout(60_000);
  const db = owner();
  try {
    const [latest] = await db<{ id: number; hash: string; created_at: string }[]>`
      delete from drizzle.__drizzle_migrations
      where created_at = (select max(created_at) from drizzle.__drizzle_migrations) returning id, hash, created_at`;
    const pending = await health("ready");
    expect(pending.status).toBe(503);
    expect(pending.body.reason).toMatch(/^migrations pending/);
    await db`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${latest!.id}, ${latest!.hash}, ${latest!.created_at})`;
    expect((await health("ready")).status).toBe(200);

    const [key] = await db<{ key: Buffer }[]>`select key from app_private.context_key`;
    await db`update app_private.context_key set key = ${randomBytes(32)}`;
    const mismatch = await health("ready");
    expect(mismatch.status).toBe(503);
    expect(mismatch.body.reason).toMatch(/does not match TENANT_CONTEXT_SECRET/);
    await db`delete from app_private.context_key`;
    const missing = await health("ready");
    expect(missing.status).toBe(503);
    expect(missing.body.reason).toMatch(/context key not installed/);
    await db`insert into app_private.context_key (id, key) values (true, ${key!.key})`;
    expect((await health("ready")).status).toBe(200);
  } finally {
    await db.end();
  }
});

test("SIGTERM: the server stops accepting, the ingest in flight completes, the process exits 0, and the row is there after a restart", async () => {
  test.setTimeout(120_000);
  const db = owner();
  const blocker = await db.reserve();
  try {
    // The ingest's insert waits behind this lock until the test lets it go, after the SIGTERM.
    await blocker`begin`;
    await blocker`lock table conversations in access exclusive mode`;
    const ingest = fetch(`${server!.url}/api/v1/conversations`, {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({
        agent: agentName,
        channel: "voice",
        caller: "+1 555 0199",
        status: "completed",
        started_at: "2026-05-02T10:00:00Z",
        duration_seconds: 30,
        summary: "Sent while the server was shutting down.",
        turns: [{ speaker: "caller", text: "Is this thing on?", offset_ms: 0 }],
      }),
    });
    let answeredEarly = "";
    void ingest.then(async (r) => (answeredEarly = `${r.status} ${await r.clone().text()}`));
    await expect
      .poll(
        async () =>
          answeredEarly ||
          (
            await db<{ n: number }[]>`select count(*)::int as n from pg_stat_activity
                                     where usename = 'app_user' and wait_event_type = 'Lock'`
          )[0]!.n,
        { timeout: 30_000, message: "the ingest is waiting on the lock" },
      )
      .toBe(1);

    const exitedAt = server!.exited.then((result) => ({ ...result, at: Date.now() }));
    const signalledAt = Date.now();
    process.kill(server!.pid, "SIGTERM");
    // No new connections once the shutdown has begun, while the ingest is still in flight.
    await expect
      .poll(
        () =>
          fetch(`${server!.url}/api/health/live`).then(
            () => "accepted",
            () => "refused",
          ),
        { timeout: 10_000 },
      )
      .toBe("refused");
    await blocker`commit`;

    const response = await ingest;
    expect(response.status).toBe(201);
    const created = (await response.json()) as { id: string };
    const exit = await exitedAt;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalledAt, "exits well within the shutdown bound").toBeLessThan(20_000);

    server = await startServer();
    const visible = await fetch(`${server.url}/api/v1/conversations/${created.id}`, {
      headers: { Authorization: `Bearer ${apiKey}` },
    });
    expect(visible.status).toBe(200);
    expect(await visible.json()).toMatchObject({ id: created.id, caller: "+1 555 0199" });
  } finally {
    blocker.release();
    await db.end();
  }
});

test("control: Next's server.js without the entry point (Next's own signal handler) exits 143 on SIGTERM, not 0", async () => {
  test.setTimeout(120_000);
  const bare = await startNextServer({
    // Next's handler waits for idle keep-alive connections to time out (the entry point closes them).
    env: { ...serverEnv, KEEP_ALIVE_TIMEOUT: "1000" },
    output: "ignore",
    timeoutMs: 120_000,
    entry: ".next/standalone/server.js",
  });
  expect((await fetch(`${bare.url}/api/health/ready`)).status).toBe(200);
  process.kill(bare.pid, "SIGTERM");
  expect(await bare.exited).toMatchObject({ code: 143 });
});
