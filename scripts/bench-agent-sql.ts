import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { agentSqlAuditsSettled, agentSqlTenantShare, runCheckedSql } from "@/db/agent-sql";
import { TenantShare } from "@/db/tenant-share";
import type { CheckedSql } from "@/db";
import { closePools, rawPool } from "@/db/client";
import { startEmbedded, type EmbeddedServer } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed/seed";
import { withTenant } from "@/db/tenant";
import { checkAgentSql } from "@/features/agent-sql/guard";
import { runAgentSql } from "@/features/agent-sql/run";
import { createApiKey } from "@/features/api-keys/store";
import { dbEnv } from "@/db/env";

/**
 * npm run bench:agent-sql [-- --runs 1000]: the latency the guarded path adds to a statement, median of
 * N runs each, one run, on a throwaway embedded PostgreSQL with the demo seed (or DATABASE_URL).
 *   direct       the same text as one query on a pooled connection (BYPASSRLS role, no transaction):
 *                what an unguarded SQL tool does
 *   parse+check  libpg-query and the tree walk alone (no database)
 *   database     db/agent-sql.ts alone: agent_reader, READ ONLY transaction, context, timeout, cursor
 *   guarded      features/agent-sql/run.ts: parse+check, database and the call's audit row in one round
 *                trip (the outcome is written after the answer, overlapping the next call)
 * Then fairness: another tenant's `select 1` while one tenant keeps 10 slow statements going (more than
 * the agent pool's 5 connections), with a per-tenant share as large as the pool (no share) and with the
 * configured share, interleaved in the same run. Then the largest answer: the bytes of the JSON answer
 * to a statement that pads each row to a megabyte (format() width), at the configured limits.
 */
const runsArg = process.argv.indexOf("--runs");
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 1000;
const statements = [
  "SELECT count(*) FROM conversations",
  "SELECT id, started_at, status FROM conversations ORDER BY started_at DESC LIMIT 50",
];

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => resolve(typeof a === "object" && a ? a.port : 0));
    });
  });
}

async function median(label: string, fn: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  samples.sort((a, b) => a - b);
  const m = samples[Math.floor(samples.length / 2)]!;
  console.log(
    `  ${label.padEnd(12)} median ${m.toFixed(3)} ms   p90 ${samples[Math.floor(samples.length * 0.9)]!.toFixed(3)} ms`,
  );
  return m;
}

let embedded: EmbeddedServer | undefined;
let scratch: string | undefined;
try {
  process.env.TENANT_CONTEXT_SECRET ??= randomBytes(32).toString("base64url");
  process.env.AUTH_SECRET ??= randomBytes(32).toString("base64url");
  if (!process.env.DATABASE_URL) {
    scratch = mkdtempSync(path.join(os.tmpdir(), "rls-starter-bench-"));
    chmodSync(scratch, 0o755);
    embedded = await startEmbedded({
      dataDir: path.join(scratch, "pg"),
      port: await freePort(),
      password: randomBytes(12).toString("hex"),
      unsafeFast: true,
      log: () => undefined,
    });
    process.env.DATABASE_URL = embedded.url;
    await migrateDatabase(dbEnv(), () => undefined);
    await seedDatabase(embedded.url, { tenants: 3, conversationsPerTenant: 320, reset: true, log: () => undefined });
  }
  const admin = rawPool("platform_admin");
  const [tenant] = await admin<{ id: string }[]>`select id from tenants where slug = 'acme-health'`;
  const tenantId = tenant!.id;
  const { id: keyId } = await withTenant(tenantId, (tx) =>
    createApiKey(tx, { tenantId, name: "bench", createdBy: null }),
  );
  console.log(
    `Agent SQL latency, ${runs} runs each after 50 warm-up runs (${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)}):`,
  );
  for (const text of statements) {
    console.log(`\n${text}`);
    const direct = await median("direct", () => admin.unsafe(text, [], { prepare: true }));
    const parse = await median("parse+check", () => checkAgentSql(text));
    const verdict = await checkAgentSql(text);
    if (!verdict.ok) throw new Error(verdict.refusal.message);
    const database = await median("database", () => runCheckedSql(verdict.sql, tenantId));
    const guarded = await median("guarded", () =>
      runAgentSql({ tenantId, actor: { kind: "api_key", keyId }, sql: text, via: "sql_endpoint" }),
    );
    console.log(
      `  added by the guarded path: ${(guarded - direct).toFixed(3)} ms ` +
        `(parse+check ${parse.toFixed(3)}, read-only transaction with context ${(database - direct).toFixed(3)}, audit insert ~${(guarded - database - parse).toFixed(3)})`,
    );
  }
  await agentSqlAuditsSettled();
  await fairness(
    tenantId,
    (await admin<{ id: string }[]>`select id from tenants where id <> ${tenantId} limit 1`)[0]!.id,
  );
  await largestAnswer(tenantId);
} finally {
  await closePools();
  await embedded?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
}

async function fairness(busyTenant: string, otherTenant: string): Promise<void> {
  const slow = "select count(*) from generate_series(1, 1000000000)" as CheckedSql;
  const quick = "select 1" as CheckedSql;
  const holder = globalThis as unknown as { __agentSqlTenantShare?: TenantShare };
  const configured = agentSqlTenantShare();
  const e = dbEnv();
  const modes: [string, TenantShare][] = [
    [
      "no share (a tenant may take the whole pool)",
      new TenantShare({ perTenant: e.AGENT_SQL_POOL_MAX, maxQueued: 1000, maxWaitMs: 60_000 }),
    ],
    [`share of ${e.AGENT_SQL_TENANT_CONNECTIONS} connections per tenant`, configured],
  ];
  const samples = new Map<string, number[]>(modes.map(([name]) => [name, []]));
  console.log(
    `\nFairness: another tenant's select 1 while one tenant keeps 10 slow statements going ` +
      `(pool ${e.AGENT_SQL_POOL_MAX}, timeout ${e.AGENT_SQL_TIMEOUT_MS} ms), 2 rounds of 6 calls per mode, interleaved:`,
  );
  for (let round = 0; round < 2; round++) {
    for (const [name, share] of modes) {
      holder.__agentSqlTenantShare = share;
      let saturating = true;
      const worker = async () => {
        while (saturating) await runCheckedSql(slow, busyTenant).catch(() => undefined);
      };
      const workers = Array.from({ length: 10 }, worker);
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (let i = 0; i < 6; i++) {
        const t0 = performance.now();
        await runCheckedSql(quick, otherTenant);
        samples.get(name)!.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      saturating = false;
      await Promise.all(workers);
    }
  }
  holder.__agentSqlTenantShare = configured;
  for (const [name] of modes) {
    const ms = samples.get(name)!.sort((a, b) => a - b);
    console.log(
      `  ${name.padEnd(45)} select 1 p50 ${ms[Math.floor(ms.length / 2)]!.toFixed(1)} ms   max ${ms.at(-1)!.toFixed(1)} ms`,
    );
  }
}

async function largestAnswer(tenantId: string): Promise<void> {
  const e = dbEnv();
  // format() width padding: a megabyte a row (stopped by the budget, or by the timeout while PostgreSQL
  // computes cap + 1 of them), a third of the budget a row, and the row cap's worth of 990-byte rows.
  const statements = [
    "select format('%1000000s', id::text) as padded from conversations",
    "select format('%330000s', id::text) as padded from conversations limit 10",
    "select format('%990s', c.id::text) as padded from conversations c, agents a",
  ];
  console.log(
    `\nLargest answers (byte budget ${e.AGENT_SQL_MAX_BYTES}, row cap ${e.AGENT_SQL_ROW_CAP}, timeout ${e.AGENT_SQL_TIMEOUT_MS} ms):`,
  );
  let largest = 0;
  for (const text of statements) {
    const verdict = await checkAgentSql(text);
    if (!verdict.ok) throw new Error(verdict.refusal.message);
    const before = process.memoryUsage().rss;
    const answer = await runCheckedSql(verdict.sql, tenantId).then(
      (r) => JSON.stringify(r),
      (err: unknown) => JSON.stringify({ error: String(err) }),
    );
    const grew = Math.max(0, process.memoryUsage().rss - before);
    const bytes = Buffer.byteLength(answer);
    largest = Math.max(largest, bytes);
    const summary = answer.startsWith('{"error"') ? answer : answer.replace(/ {20,}/g, "…").slice(0, 100);
    console.log(`  ${text}\n    ${bytes} bytes of JSON, server RSS +${(grew / 1e6).toFixed(1)} MB: ${summary}`);
  }
  console.log(`  largest: ${largest} bytes`);
}
