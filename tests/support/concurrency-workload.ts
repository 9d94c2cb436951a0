import { sql, TransactionRollbackError } from "drizzle-orm";
import { closePools, rawPool } from "@/db/client";
import { mintContextToken } from "@/db/context-token";
import { auditEvents } from "@/db/schema";
import { withTenant } from "@/db/tenant";
import { dbEnv } from "@/db/env";

/**
 * The concurrency workload, run as a child process by tests/db/concurrency.test.ts so that the app
 * pool (db/client.ts, sized and addressed by the environment) is the real one withTenant uses, with
 * its own DB_POOL_MAX, DB_PREPARE and APP_DATABASE_URL (direct, or through PgBouncer).
 *
 * Lanes (twice as many as pooled connections, so the pool is always contended) issue WORKLOAD_TRANSACTIONS
 * withTenant transactions for random tenants with random endings (commit, rollback, thrown error, SQL
 * error, statement timeout), interleaved with context-free probes on the same pool that must find no
 * context, no rows and no leftover local setting on whichever connection they land on. It prints
 * one line `WORKLOAD_RESULT <json>`; the test asserts on it.
 */
const outcomes = ["commit", "rollback", "thrown", "sqlError", "timeout"] as const;
type Outcome = (typeof outcomes)[number];
// Cumulative shares of the endings; the rest of the draw is a commit.
const outcomeShares: [Outcome, number][] = [
  ["rollback", 0.15],
  ["thrown", 0.27],
  ["sqlError", 0.35],
  ["timeout", 0.45],
];
const probeShare = 0.25;
const tables = ["agents", "conversations", "conversation_turns"] as const;

const e = dbEnv();
const transactions = Number(process.env.WORKLOAD_TRANSACTIONS ?? 10_000);
const seed = Number(process.env.WORKLOAD_SEED ?? Date.now() % 2 ** 31);
const run = `run-${seed}-${process.pid}`;
const lanes = e.DB_POOL_MAX * 2;

// mulberry32: a small seeded PRNG, so a failing mix can be replayed (the interleaving still varies).
let state = seed >>> 0;
function random(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const drawOutcome = (): Outcome => {
  const r = random();
  return outcomeShares.find(([, upTo]) => r < upTo)?.[0] ?? "commit";
};

class PlannedError extends Error {}

const app = rawPool("app_user"); // the same pool object withTenant's Drizzle instance runs on
const admin = rawPool("platform_admin"); // BYPASSRLS: the truth each transaction is compared with

const truth = new Map<string, Map<string, number>>(); // tenant -> table -> rows
for (const table of tables) {
  for (const row of await admin<
    { tenant_id: string; n: number }[]
  >`select tenant_id, count(*)::int as n from ${admin(table)} group by 1`) {
    if (!truth.has(row.tenant_id)) truth.set(row.tenant_id, new Map());
    truth.get(row.tenant_id)!.set(table, row.n);
  }
}
const tenants = [...truth.keys()];
const [{ statement_timeout: baselineTimeout } = { statement_timeout: "" }] = await app<
  { statement_timeout: string }[]
>`select current_setting('statement_timeout') as statement_timeout`;

const figures = {
  run,
  seed,
  poolMax: e.DB_POOL_MAX,
  prepare: e.DB_PREPARE,
  lanes,
  tenants: tenants.length,
  transactions: 0,
  outcomes: Object.fromEntries(outcomes.map((o) => [o, 0])) as Record<Outcome, number>,
  writesCommitted: 0,
  writesUndone: 0,
  foreignRows: 0,
  wrongCounts: 0,
  wrongContext: 0,
  unexpectedErrors: 0,
  probes: 0,
  probeLeaks: 0,
  backends: 0,
  unprobedBackends: 0,
  sweepProbes: 0,
  sweepLeaks: 0,
  durationMs: 0,
  audit: { total: 0, misfiled: 0, survivedRollback: 0 },
  control: { detected: false, sweeps: 0, tenant: null as string | null, visibleRows: 0 },
  samples: [] as string[],
};
const note = (line: string) => figures.samples.length < 10 && figures.samples.push(line);
const txPerBackend = new Map<number, number>();
const probesPerBackend = new Map<number, number>();
const bump = (m: Map<number, number>, pid: number) => m.set(pid, (m.get(pid) ?? 0) + 1);

function messages(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message);
  return parts.join(" <- ") || String(error);
}

function expected(outcome: Outcome, error: unknown): boolean {
  switch (outcome) {
    case "rollback":
      return error instanceof TransactionRollbackError;
    case "thrown":
      return error instanceof PlannedError;
    case "sqlError":
      return /division by zero/.test(messages(error));
    case "timeout":
      return /statement timeout/.test(messages(error));
    default:
      return false;
  }
}

async function transaction(tenantId: string, outcome: Outcome): Promise<void> {
  const writes = outcome !== "sqlError" && outcome !== "timeout" && random() < 0.3;
  try {
    await withTenant(tenantId, async (tx) => {
      const [ctx] = await tx.execute<{ pid: number; tenant: string | null }>(
        sql`select pg_backend_pid() as pid, app.current_tenant_id() as tenant`,
      );
      bump(txPerBackend, ctx!.pid);
      if (ctx!.tenant !== tenantId) figures.wrongContext++;

      const seen = await tx.execute<{ tbl: (typeof tables)[number]; tenant_id: string; n: number }>(sql`
        select 'agents' as tbl, tenant_id, count(*)::int as n from agents group by tenant_id
        union all select 'conversations', tenant_id, count(*)::int from conversations group by tenant_id
        union all select 'conversation_turns', tenant_id, count(*)::int from conversation_turns group by tenant_id`);
      for (const row of seen) {
        if (row.tenant_id !== tenantId) {
          figures.foreignRows += row.n;
          note(`tenant ${tenantId} saw ${row.n} rows of ${row.tenant_id} in ${row.tbl}`);
        }
      }
      for (const table of tables) {
        const own = seen.find((r) => r.tbl === table && r.tenant_id === tenantId)?.n ?? 0;
        if (own !== (truth.get(tenantId)?.get(table) ?? 0)) figures.wrongCounts++;
      }

      if (writes) {
        await tx
          .insert(auditEvents)
          .values({ tenantId, action: "test.concurrency", metadata: { run, writer: tenantId, outcome } });
      }
      switch (outcome) {
        case "rollback":
          tx.rollback();
          break;
        case "thrown":
          throw new PlannedError("planned failure inside the transaction");
        case "sqlError":
          await tx.execute(sql`select 1 / 0`);
          break;
        case "timeout":
          await tx.execute(sql`set local statement_timeout = '20ms'`);
          await tx.execute(sql`select pg_sleep(1)`);
          break;
      }
    });
    if (outcome !== "commit") {
      figures.unexpectedErrors++;
      note(`${outcome} did not fail`);
    } else if (writes) figures.writesCommitted++;
  } catch (error) {
    if (!expected(outcome, error)) {
      figures.unexpectedErrors++;
      note(`${outcome}: ${messages(error)}`);
    } else if (writes) figures.writesUndone++;
  }
  figures.outcomes[outcome]++;
}

/** A context-free statement on the app pool (no transaction): must see no context, no rows, default settings. */
async function probe(holdSeconds = 0): Promise<{ pid: number; leak: boolean; tenant: string | null; visible: number }> {
  try {
    const [row] = await app<
      { pid: number; ctx: string; tenant: string | null; visible: number; statement_timeout: string }[]
    >`
      select pg_backend_pid() as pid, coalesce(current_setting('app.tenant_ctx', true), '') as ctx,
             app.current_tenant_id() as tenant, current_setting('statement_timeout') as statement_timeout,
             (select count(*)::int from conversations) + (select count(*)::int from agents) as visible,
             pg_sleep(${holdSeconds}) is null as held`;
    const leak =
      row!.ctx !== "" || row!.tenant !== null || row!.visible !== 0 || row!.statement_timeout !== baselineTimeout;
    if (leak)
      note(
        `probe on backend ${row!.pid}: ctx=${row!.ctx.slice(0, 50)} tenant=${row!.tenant} visible=${row!.visible} statement_timeout=${row!.statement_timeout}`,
      );
    return { pid: row!.pid, leak, tenant: row!.tenant, visible: row!.visible };
  } catch (error) {
    // A leftover context that no longer verifies makes the probe raise: that is a leak too.
    note(`probe failed: ${messages(error)}`);
    return { pid: -1, leak: true, tenant: null, visible: 0 };
  }
}

/** One probe per pooled connection at once (each holds its connection briefly), so every connection is checked. */
async function sweep(): Promise<Awaited<ReturnType<typeof probe>>[]> {
  return Promise.all(Array.from({ length: e.DB_POOL_MAX }, () => probe(0.05)));
}

const started = performance.now();
let issued = 0;
async function lane(): Promise<void> {
  while (issued < transactions) {
    if (random() < probeShare) {
      const result = await probe();
      figures.probes++;
      if (result.leak) figures.probeLeaks++;
      else bump(probesPerBackend, result.pid);
      continue;
    }
    issued++;
    await transaction(pick(tenants), drawOutcome());
  }
}
await Promise.all(Array.from({ length: lanes }, lane));
figures.transactions = Object.values(figures.outcomes).reduce((a, b) => a + b, 0);
figures.durationMs = Math.round(performance.now() - started);
figures.backends = txPerBackend.size;
figures.unprobedBackends = [...txPerBackend.keys()].filter((pid) => !probesPerBackend.has(pid)).length;

for (let i = 0; i < 3; i++) {
  for (const result of await sweep()) {
    figures.sweepProbes++;
    if (result.leak) figures.sweepLeaks++;
  }
}

const [audit] = await admin<{ total: number; misfiled: number; survived_rollback: number }[]>`
  select count(*)::int as total,
         count(*) filter (where metadata->>'writer' <> tenant_id::text)::int as misfiled,
         count(*) filter (where metadata->>'outcome' <> 'commit')::int as survived_rollback
  from audit_events where metadata->>'run' = ${run}`;
figures.audit = { total: audit!.total, misfiled: audit!.misfiled, survivedRollback: audit!.survived_rollback };

// Control: the same probes catch a context set at session level (is_local = false, no transaction) on this pool.
const victim = pick(tenants);
const sessionToken = mintContextToken({ tenantId: victim }, e.TENANT_CONTEXT_SECRET, e.TENANT_CONTEXT_TTL_SECONDS);
const samplesBeforeControl = figures.samples.length;
await app`select set_config('app.tenant_ctx', ${sessionToken}, false)`;
for (let i = 0; i < 20 && !figures.control.detected; i++) {
  figures.control.sweeps++;
  const caught = (await sweep()).find((r) => r.leak && r.tenant === victim);
  if (caught) figures.control = { detected: true, sweeps: i + 1, tenant: caught.tenant, visibleRows: caught.visible };
}
figures.samples.length = samplesBeforeControl; // the control's own findings are expected, not samples of failures

await closePools();
console.log(`WORKLOAD_RESULT ${JSON.stringify(figures)}`);
