import { after, before, describe, it, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { migrateDatabase } from "@/db/migrate";
import { mintContextToken } from "@/db/context-token";
import { seedDatabase } from "@/db/seed/seed";
import { dbEnv, roleDatabaseUrl } from "@/db/env";
import { startPgBouncer, supportsPreparedStatements, type PgBouncer } from "../support/pgbouncer";

/**
 * withTenant under concurrency, directly and through PgBouncer in transaction pooling mode. Runs on a
 * scratch database of 50 small tenants in the same cluster (created, migrated and seeded here, dropped
 * after), so the shared test database of the other suites is untouched. The workload itself runs in a
 * child process (tests/support/concurrency-workload.ts) whose environment gives the real app pool its
 * size and address: this test process keeps DB_POOL_MAX=1 on the shared database.
 */
const transactions = 10_000;
const tenants = 50;
const directPool = 8;
const bouncerClients = 10; // the app pool's connections to PgBouncer
const bouncerServers = 5; // PgBouncer's connections to PostgreSQL, shared by those clients

const scratchName = `rls_concurrency_${randomBytes(4).toString("hex")}`;
const clusterOwnerUrl = dbEnv().DATABASE_URL!;
const scratchOwnerUrl = (() => {
  const url = new URL(clusterOwnerUrl);
  url.pathname = `/${scratchName}`;
  return url.toString();
})();
const scratchEnv = {
  ...dbEnv(),
  DATABASE_URL: scratchOwnerUrl,
  APP_DATABASE_URL: undefined,
  AGENT_DATABASE_URL: undefined,
  ADMIN_DATABASE_URL: undefined,
};

const cluster = postgres(clusterOwnerUrl, { max: 1, onnotice: () => undefined });

before(async () => {
  await cluster`create database ${cluster(scratchName)}`;
  await migrateDatabase(scratchEnv, () => undefined);
  await seedDatabase(scratchOwnerUrl, { tenants, conversationsPerTenant: 4, log: () => undefined });
});
after(async () => {
  await cluster`drop database if exists ${cluster(scratchName)} with (force)`;
  await cluster.end();
});

interface WorkloadFigures {
  run: string;
  seed: number;
  poolMax: number;
  prepare: boolean;
  lanes: number;
  tenants: number;
  transactions: number;
  outcomes: Record<"commit" | "rollback" | "thrown" | "sqlError" | "timeout", number>;
  writesCommitted: number;
  writesUndone: number;
  foreignRows: number;
  wrongCounts: number;
  wrongContext: number;
  unexpectedErrors: number;
  probes: number;
  probeLeaks: number;
  backends: number;
  unprobedBackends: number;
  sweepProbes: number;
  sweepLeaks: number;
  durationMs: number;
  audit: { total: number; misfiled: number; survivedRollback: number };
  control: { detected: boolean; sweeps: number; tenant: string | null; visibleRows: number };
  samples: string[];
}

function runWorkload(extraEnv: Record<string, string>): Promise<WorkloadFigures> {
  return new Promise((resolve, reject) => {
    const environment: NodeJS.ProcessEnv = {
      ...process.env,
      DATABASE_URL: scratchOwnerUrl,
      // Long enough that a token minted while the pool is contended is still valid when its transaction begins.
      TENANT_CONTEXT_TTL_SECONDS: "30",
      WORKLOAD_TRANSACTIONS: String(transactions),
      ...extraEnv,
    };
    if (!("APP_DATABASE_URL" in extraEnv)) delete environment.APP_DATABASE_URL;
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/concurrency-workload.ts"], {
      env: environment,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("WORKLOAD_RESULT "));
      if (code !== 0 || !line) return reject(new Error(`the workload exited with ${code}:\n${stderr}\n${stdout}`));
      resolve(JSON.parse(line.slice("WORKLOAD_RESULT ".length)) as WorkloadFigures);
    });
  });
}

function report(t: TestContext, label: string, f: WorkloadFigures, extra = "") {
  const lines = [
    `${label}: ${f.transactions} transactions, ${f.tenants} tenants, app pool ${f.poolMax} connections${extra}, ${f.lanes} concurrent callers, prepare=${f.prepare}`,
    `  endings: ${Object.entries(f.outcomes)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}; audit writes committed ${f.writesCommitted}, undone ${f.writesUndone}`,
    `  leaks: ${f.foreignRows} foreign rows, ${f.wrongContext} wrong contexts, ${f.probeLeaks} of ${f.probes} interleaved probes and ${f.sweepLeaks} of ${f.sweepProbes} sweep probes found context; ${f.backends} server connections served transactions, all probed`,
    `  duration ${(f.durationMs / 1000).toFixed(1)} s (${Math.round(f.transactions / (f.durationMs / 1000))} transactions/s); control: a session-level context was caught by the probes (${f.control.visibleRows} rows visible without a transaction)`,
  ];
  for (const line of lines) t.diagnostic(line);
}

function assertIsolated(f: WorkloadFigures) {
  const detail = f.samples.join("\n");
  assert.equal(f.tenants, tenants);
  assert.ok(f.transactions >= transactions, `ran ${f.transactions} transactions`);
  for (const [ending, n] of Object.entries(f.outcomes)) assert.ok(n > 0, `no transaction ended with ${ending}`);
  assert.ok(f.writesCommitted > 0 && f.writesUndone > 0, "the mix includes committed and undone writes");
  assert.equal(f.unexpectedErrors, 0, `transactions ended otherwise than planned:\n${detail}`);
  assert.equal(f.foreignRows, 0, `rows of another tenant were seen:\n${detail}`);
  assert.equal(f.wrongContext, 0, `a transaction ran with another tenant's context:\n${detail}`);
  assert.equal(f.wrongCounts, 0, `a transaction did not see exactly its own tenant's rows:\n${detail}`);
  assert.ok(f.probes > 1000, `only ${f.probes} interleaved probes`);
  assert.equal(f.probeLeaks, 0, `a connection carried context or settings after its transaction:\n${detail}`);
  assert.equal(f.sweepLeaks, 0, `a connection carried context after the run:\n${detail}`);
  assert.equal(f.unprobedBackends, 0, "every connection that served a transaction was probed between transactions");
  assert.deepEqual(
    f.audit,
    { total: f.writesCommitted, misfiled: 0, survivedRollback: 0 },
    "committed writes landed in their own tenant; undone writes left nothing",
  );
  // Control: the probes are able to see a context left on a connection.
  assert.ok(
    f.control.detected && f.control.visibleRows > 0,
    "control: a session-level context on the pool is caught by the probes",
  );
}

describe(`withTenant under concurrency: ${transactions} transactions, ${tenants} tenants`, () => {
  it(`from a pool of ${directPool} connections: no row of another tenant, no context left on any connection`, async (t) => {
    const f = await runWorkload({ DB_POOL_MAX: String(directPool), DB_PREPARE: "true" });
    report(t, "direct", f);
    assert.equal(f.poolMax, directPool);
    assert.equal(f.backends, directPool, "every pooled connection served transactions");
    assertIsolated(f);
  });

  describe(`through PgBouncer in transaction pooling mode (${bouncerClients} app connections onto ${bouncerServers} server connections)`, () => {
    let bouncer: PgBouncer;
    const appPassword = decodeURIComponent(new URL(roleDatabaseUrl("app_user", scratchEnv)).password);

    before(async () => {
      const upstream = new URL(scratchOwnerUrl);
      bouncer = await startPgBouncer({
        upstream: { host: upstream.hostname, port: Number(upstream.port) },
        aliases: [
          { alias: "app", dbname: scratchName, poolSize: bouncerServers },
          // One server connection: every client of this alias takes turns on the same backend.
          { alias: "single", dbname: scratchName, poolSize: 1 },
        ],
        users: { app_user: appPassword },
      });
    });
    after(async () => {
      await bouncer?.stop();
    });

    it("withTenant: no row of another tenant, no context left on any server connection", async (t) => {
      // PgBouncer < 1.21 cannot keep protocol-level prepared statements in transaction mode: the app runs with DB_PREPARE=false.
      const prepare = supportsPreparedStatements(bouncer.version);
      t.diagnostic(
        `PgBouncer ${bouncer.version}: DB_PREPARE=false (${prepare ? "1.21+ could prepare with max_prepared_statements" : "no prepared statements in transaction mode before 1.21"})`,
      );
      const f = await runWorkload({
        DB_POOL_MAX: String(bouncerClients),
        DB_PREPARE: "false",
        APP_DATABASE_URL: bouncer.url("app", "app_user"),
      });
      report(t, `PgBouncer ${bouncer.version}`, f, ` onto ${bouncerServers} PgBouncer server connections`);
      assert.equal(f.poolMax, bouncerClients);
      assert.equal(f.backends, bouncerServers, "the app's transactions shared PgBouncer's server connections");
      assertIsolated(f);
    });

    it("control: a session-level context (is_local = false, no transaction) leaks into another client's transaction", async (t) => {
      const [tenantA, tenantB] = await (async () => {
        const owner = postgres(scratchOwnerUrl, { max: 1, onnotice: () => undefined });
        try {
          return (await owner<{ id: string }[]>`select id from tenants order by slug limit 2`).map((r) => r.id);
        } finally {
          await owner.end();
        }
      })();
      const e = dbEnv();
      const client = () =>
        postgres(bouncer.url("single", "app_user"), { max: 1, prepare: false, onnotice: () => undefined });
      const setter = client();
      const victim = client();
      const seenByVictim = (c: postgres.Sql) =>
        c.begin(async (tx) => {
          const [row] = await tx<{ ctx: string; tenant: string | null; rows: number }[]>`
            select coalesce(current_setting('app.tenant_ctx', true), '') as ctx, app.current_tenant_id() as tenant,
                   (select count(*)::int from conversations) as rows`;
          return row!;
        });
      try {
        // Transaction-scoped, as withTenant does it: the next client on the same server connection sees nothing.
        await setter.begin(async (tx) => {
          await tx`select set_config('app.tenant_ctx', ${mintContextToken({ tenantId: tenantA! }, e.TENANT_CONTEXT_SECRET, 30)}, true)`;
          await tx`select count(*) from conversations`;
        });
        const afterLocal = await seenByVictim(victim);
        assert.deepEqual(afterLocal, { ctx: "", tenant: null, rows: 0 });

        // Session-level (the same as `SET app.tenant_ctx = …`): it stays on the server connection PgBouncer hands to the next client.
        await setter`select set_config('app.tenant_ctx', ${mintContextToken({ tenantId: tenantB! }, e.TENANT_CONTEXT_SECRET, 30)}, false)`;
        const afterSession = await seenByVictim(victim);
        assert.equal(afterSession.tenant, tenantB, "the other client's transaction runs in the leaked tenant context");
        assert.ok(afterSession.rows > 0, "and sees that tenant's rows");
        const line = `PgBouncer control: a session-level context set by one client was seen by another client's transaction (${afterSession.rows} conversations of another tenant); transaction-scoped: 0`;
        t.diagnostic(line);
      } finally {
        await setter`select set_config('app.tenant_ctx', '', false)`;
        await Promise.all([setter.end(), victim.end()]);
      }
    });
  });
});
