import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";

/**
 * withTenant under concurrency through the Citus coordinator: the workload of tests/db/concurrency.test.ts
 * (tests/support/concurrency-workload.ts, the real app pool in a child process) on the seeded tenants.
 * Each transaction's SET LOCAL context travels to the workers it touches and must end with it: no
 * transaction sees another tenant's rows, and no probe between transactions finds a context.
 */
const transactions = 600;
const poolMax = 4;

interface Figures {
  tenants: number;
  transactions: number;
  outcomes: Record<string, number>;
  writesCommitted: number;
  writesUndone: number;
  foreignRows: number;
  wrongCounts: number;
  wrongContext: number;
  unexpectedErrors: number;
  probes: number;
  probeLeaks: number;
  sweepLeaks: number;
  unprobedBackends: number;
  durationMs: number;
  audit: { total: number; misfiled: number; survivedRollback: number };
  control: { detected: boolean; tenant: string | null; visibleRows: number };
  samples: string[];
}

function runWorkload(): Promise<Figures> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/concurrency-workload.ts"], {
      env: {
        ...process.env,
        DB_POOL_MAX: String(poolMax),
        TENANT_CONTEXT_TTL_SECONDS: "30",
        WORKLOAD_TRANSACTIONS: String(transactions),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => {
      const line = stdout.split("\n").find((l) => l.startsWith("WORKLOAD_RESULT "));
      if (code !== 0 || !line) return reject(new Error(`the workload exited with ${code}:\n${stderr}\n${stdout}`));
      resolve(JSON.parse(line.slice("WORKLOAD_RESULT ".length)) as Figures);
    });
  });
}

describe(`Citus: withTenant under concurrency through the coordinator (${transactions} transactions)`, () => {
  it("no row of another tenant, no context left on any connection", async (t) => {
    const f = await runWorkload();
    const detail = f.samples.join("\n");
    t.diagnostic(
      `${f.transactions} transactions over ${f.tenants} tenants, pool ${poolMax}, ${(f.durationMs / 1000).toFixed(1)} s; endings ${JSON.stringify(f.outcomes)}; ${f.probes} probes`,
    );
    assert.ok(f.tenants >= 3);
    assert.ok(f.transactions >= transactions);
    for (const [ending, n] of Object.entries(f.outcomes)) assert.ok(n > 0, `no transaction ended with ${ending}`);
    assert.equal(f.unexpectedErrors, 0, detail);
    assert.equal(f.foreignRows, 0, detail);
    assert.equal(f.wrongContext, 0, detail);
    assert.equal(f.wrongCounts, 0, `a transaction did not see exactly its tenant's rows:\n${detail}`);
    assert.ok(f.probes > 100);
    assert.equal(f.probeLeaks, 0, detail);
    assert.equal(f.sweepLeaks, 0, detail);
    assert.equal(f.unprobedBackends, 0);
    assert.deepEqual(f.audit, { total: f.writesCommitted, misfiled: 0, survivedRollback: 0 });
    // Control: a session-level context on the pool is caught by the same probes. On Citus it stays on the
    // coordinator (set_config is not propagated), so the probe sees its tenant there but no rows.
    assert.ok(f.control.detected && f.control.tenant !== null, "control: the probes catch a session-level context");
  });
});
