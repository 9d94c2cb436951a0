import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { agentSqlAuditsSettled, runCheckedSql, type AgentSqlAudit, type AgentSqlSettled } from "@/db/agent-sql";
import { closePools } from "@/db/client";
import type { CheckedSql } from "@/db";
import { adminSql, ownerSql, tenantIdsBySlug } from "../support/db";

/**
 * The database's part of agent SQL's guarantees, alone: these tests give runCheckedSql SQL the guard
 * would refuse (taken as already checked), so only agent_reader, the READ ONLY transaction, the
 * extended protocol and the audit row's place in the pipeline stand in the way (db/agent-sql.ts). The
 * statement must write nothing, even through the definer functions agent_reader may execute (the audit
 * row's own), switch nothing back to read-write, not end its transaction, see no user in its context,
 * and every call, failed or not, must leave exactly one audit row, committed before the statement ran.
 */
let acme = "";
let alice = "";

before(async () => {
  acme = (await tenantIdsBySlug())["acme-health"]!;
  const [user] = await adminSql()<{ id: string }[]>`select id from users where email = 'alice@acme.test'`;
  alice = user!.id;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

const unchecked = (sql: string) => sql as CheckedSql;
const codeOf = (error: unknown): string | undefined => {
  const { code } = error as { code?: unknown };
  return typeof code === "string" ? code : undefined;
};

/** An audit whose outcome names the verdict and the PostgreSQL error code; a fresh target per call. */
function auditFor(sql: string, userId?: string): AgentSqlAudit {
  return {
    ...(userId ? { userId } : {}),
    target: `audit-transaction-test:${randomUUID()}`,
    call: { via: "test", sql },
    outcome: (settled: AgentSqlSettled) =>
      settled.ok
        ? { verdict: "ok", rows: settled.result.rowCount }
        : { verdict: "refused_by_database", errorCode: codeOf(settled.error) ?? "none" },
  };
}

interface AuditRow {
  actor: string | null;
  occurredAt: Date;
  metadata: Record<string, unknown>;
}

async function rowsOf(target: string): Promise<AuditRow[]> {
  await agentSqlAuditsSettled();
  return adminSql()<AuditRow[]>`
    select actor_user_id as actor, occurred_at as "occurredAt", metadata
    from audit_events where tenant_id = ${acme} and target = ${target} order by id`;
}

/** Runs the statement audited; the PostgreSQL error code it failed with (undefined when it answered). */
async function failureCode(sql: string, audit: AgentSqlAudit, timeoutMs = 2000): Promise<string | undefined> {
  return runCheckedSql(unchecked(sql), acme, { timeoutMs }, audit).then(
    () => undefined,
    (e: unknown) => codeOf(e) ?? String(e),
  );
}

describe("the agent's statement cannot write, whatever it calls", () => {
  it("a write through each definer function agent_reader may execute is refused as read-only (25006)", async () => {
    const marker = `agent-wrote:${randomUUID()}`;
    const writes = [
      `select app.record_agent_sql_call('${marker}', '{"verdict":"ok"}'::jsonb)`,
      // "Completing" its own pending row (committed just before it) would forge the outcome.
      `select app.record_agent_sql_outcome(id, '{"verdict":"ok"}'::jsonb) from (select max(id) as id from audit_events) a`,
      `select app.record_agent_sql_outcome(9223372036854775807, '{"verdict":"ok"}'::jsonb)`,
    ];
    for (const sql of writes) {
      const audit = auditFor(sql);
      const code = await failureCode(sql, audit);
      // 42501 would be the permission on audit_events (the second statement reads it); the first and
      // third must reach the function and be stopped by the transaction's mode.
      assert.ok(code === "25006" || (code === "42501" && sql.includes("from audit_events")), `${sql}: ${code}`);
      const rows = await rowsOf(audit.target);
      assert.equal(rows.length, 1, sql);
      assert.equal(rows[0]!.metadata.verdict, "refused_by_database", sql);
      assert.equal(rows[0]!.metadata.errorCode, code, sql);
    }
    const [written] = await adminSql()<{ n: number }[]>`
      select count(*)::int as n from audit_events where target = ${marker}`;
    assert.equal(written!.n, 0);
  });

  it("the definer function's write is refused even with the user in the audit's context", async () => {
    const sql = `select app.record_agent_sql_call('agent-wrote-as-user', '{"verdict":"ok"}'::jsonb)`;
    const audit = auditFor(sql, alice);
    assert.equal(await failureCode(sql, audit), "25006");
    const rows = await rowsOf(audit.target);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.actor, alice, "the call's row names its user");
  });

  it("cannot switch its transaction back to read-write (25001), locally or for the session", async () => {
    for (const sql of [
      "select set_config('transaction_read_only', 'off', true)",
      "select set_config('transaction_read_only', 'off', false)",
      `select set_config('transaction_read_only', 'off', true), app.record_agent_sql_call('agent-wrote', '{}'::jsonb)`,
    ]) {
      const audit = auditFor(sql);
      assert.equal(await failureCode(sql, audit), "25001", sql);
      assert.equal((await rowsOf(audit.target)).length, 1, sql);
    }
  });

  it("a session-wide setting it makes does not outlive its call on the pooled connection", async () => {
    // set_config(…, false) in a transaction that commits stays on the connection for the next caller
    // (another tenant's agent); the read-only transaction ends with ROLLBACK, which undoes it.
    const set = "select set_config('work_mem', '1234kB', false) as set";
    const read = "select current_setting('work_mem') as work_mem";
    const seen: unknown[] = [];
    for (let i = 0; i < 6; i++) {
      assert.deepEqual((await runCheckedSql(unchecked(set), acme, {}, auditFor(set))).rows, [["1234kB"]]);
      await agentSqlAuditsSettled(); // the connection is back in the pool
      seen.push((await runCheckedSql(unchecked(read), acme, {}, auditFor(read))).rows[0]![0]);
      await agentSqlAuditsSettled();
    }
    assert.ok(!seen.includes("1234kB"), `work_mem seen by the next calls: ${seen.join(", ")}`);
  });

  it("its statement sees a read-only transaction whose context names no user", async () => {
    const sql =
      "select current_setting('transaction_read_only') as ro, app.current_user_id() as who, app.current_tenant_id() as tenant";
    const result = await runCheckedSql(unchecked(sql), acme, {}, auditFor(sql, alice));
    assert.deepEqual(result.rows, [["on", null, acme]]);
  });

  it("cannot end its read-only transaction: the extended protocol refuses a second statement (42601)", async () => {
    const marker = `escaped:${randomUUID()}`;
    // Closes the wrapper around it (answerBounded) and opens it again, so that the whole text is
    // complete statements: the wrapper's (keeping the context for the session), COMMIT, a read-write
    // transaction with a write, then the wrapper's tail. Over the simple protocol they would all run.
    const sql = [
      "select 1 as x) agent_sql_answer) agent_sql_answer window agent_sql_window as (rows unbounded preceding))",
      "select set_config('app.tenant_ctx', current_setting('app.tenant_ctx'), false);",
      "commit;",
      "begin read write;",
      `select app.record_agent_sql_call('${marker}', '{"verdict":"ok"}'::jsonb);`,
      "commit;",
      "with agent_sql_stream as materialized (select agent_sql_answer.*, 1 as agent_sql_n, 1 as agent_sql_bytes",
      "from (select * from (select 1 as x",
    ].join("\n");
    const audit = auditFor("escape");
    const error = await runCheckedSql(unchecked(sql), acme, {}, audit).then(
      () => assert.fail("answered"),
      (e: unknown) => e,
    );
    const [escaped] = await adminSql()<{ n: number }[]>`
      select count(*)::int as n from audit_events where target = ${marker}`;
    assert.equal(escaped!.n, 0, "the write in a transaction of its own was committed");
    assert.equal(codeOf(error), "42601", String(error));
    assert.match(String(error), /cannot insert multiple commands into a prepared statement/);
    const rows = await rowsOf(audit.target);
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.metadata.errorCode, "42601");
  });
});

describe("a statement that fails still leaves exactly one audit row, committed before it ran", () => {
  // The call's row is committed in the statement's own round trip, before the statement: its
  // occurred_at (now(), its transaction's start) is before the statement failed. A row written after
  // the statement (or by the fallback, recordWholeCall) would be dated after the failure.
  const failing: [string, string, number][] = [
    [
      "a runtime error after 0.3 s",
      "select n / (n - n) from (select count(*) as n from (select pg_sleep(0.3)) s) t",
      0,
    ],
    ["a statement past its timeout", "select count(*) from generate_series(1, 1000000000)", 300],
    ["permission denied", "select * from users", 0],
    ["an undefined table", "select * from no_such_table", 0],
  ];
  const codes = ["22012", "57014", "42501", "42P01"];

  failing.forEach(([name, sql, timeoutMs], i) => {
    it(`${name}: ${codes[i]}`, async () => {
      const audit = auditFor(sql);
      const started = (await adminSql()<{ now: Date }[]>`select clock_timestamp() as now`)[0]!.now;
      const code = await failureCode(sql, audit, timeoutMs || 2000);
      const failedAt = (await adminSql()<{ now: Date }[]>`select clock_timestamp() as now`)[0]!.now;
      assert.equal(code, codes[i]);
      const rows = await rowsOf(audit.target);
      assert.equal(rows.length, 1, JSON.stringify(rows));
      assert.equal(rows[0]!.metadata.verdict, "refused_by_database");
      assert.equal(rows[0]!.metadata.errorCode, codes[i]);
      assert.equal(rows[0]!.metadata.sql, sql, "the call and its outcome are one row");
      const at = rows[0]!.occurredAt.getTime();
      assert.ok(at >= started.getTime() && at <= failedAt.getTime(), "recorded during the call");
      if (timeoutMs || i === 0) {
        assert.ok(failedAt.getTime() - at >= 150, `recorded before the statement ran (${failedAt.getTime() - at} ms)`);
      }
    });
  });

  it("an answered call has one row too, with its outcome", async () => {
    const sql = "select count(*) from conversations";
    const audit = auditFor(sql);
    await runCheckedSql(unchecked(sql), acme, {}, audit);
    const rows = await rowsOf(audit.target);
    assert.equal(rows.length, 1);
    assert.deepEqual([rows[0]!.metadata.verdict, rows[0]!.metadata.rows], ["ok", 1]);
  });
});

describe("outcomes are written in batches after the answers, and never left behind", () => {
  const outcomesOf = (target: string) =>
    adminSql()<{ verdict: string; writtenBy: string }[]>`
      select metadata->>'verdict' as verdict, xmin::text as "writtenBy"
      from audit_events where tenant_id = ${acme} and target = ${target} order by id`;

  /** Audited calls in a process whose outcomes wait a minute for their batch, which then shuts down. */
  async function callsThenShutdown(calls: number): Promise<string> {
    const target = `audit-transaction-test:${randomUUID()}`;
    await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "tests/support/agent-sql-then-exit.ts", acme, target, String(calls)],
      { env: { ...process.env, AGENT_SQL_OUTCOME_DELAY_MS: "60000" } },
    );
    return target;
  }

  it("a process that closes its pools and ends at once has written every waiting outcome first", async () => {
    const target = await callsThenShutdown(3);
    assert.deepEqual(
      (await outcomesOf(target)).map((r) => r.verdict),
      ["ok", "ok", "ok"],
    );
  });

  it("ten calls of one tenant and user: their ten outcomes in one transaction", async () => {
    const rows = await outcomesOf(await callsThenShutdown(10));
    assert.deepEqual(
      rows.map((r) => r.verdict),
      Array<string>(10).fill("ok"),
    );
    // A row's xmin is the transaction that last wrote it: one writer for the ten.
    assert.equal(new Set(rows.map((r) => r.writtenBy)).size, 1, JSON.stringify(rows));
  });

  it("control: calls of two users are two batches (each written under its own context)", async () => {
    const target = `audit-transaction-test:${randomUUID()}`;
    await runCheckedSql(unchecked("select 1"), acme, {}, { ...auditFor("select 1"), target });
    await runCheckedSql(unchecked("select 1"), acme, {}, { ...auditFor("select 1", alice), target });
    await agentSqlAuditsSettled();
    const rows = await outcomesOf(target);
    assert.deepEqual(
      rows.map((r) => r.verdict),
      ["ok", "ok"],
    );
    assert.equal(new Set(rows.map((r) => r.writtenBy)).size, 2, JSON.stringify(rows));
  });

  it("an outcome is written shortly after its answer with nobody waiting for it", async () => {
    const audit = auditFor("select 1");
    await runCheckedSql(unchecked("select 1"), acme, {}, audit);
    const deadline = Date.now() + 10_000;
    let rows = await outcomesOf(audit.target);
    while (rows[0]?.verdict === "pending" && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      rows = await outcomesOf(audit.target);
    }
    assert.equal(rows[0]?.verdict, "ok");
  });
});
