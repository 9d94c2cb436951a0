import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { closePools, rawPool } from "@/db/client";
import { agentSqlAuditsSettled, runCheckedSql } from "@/db/agent-sql";
import { withTenant } from "@/db/tenant";
import type { CheckedSql } from "@/db";
import { checkAgentSql } from "@/features/agent-sql/guard";
import { runAgentSql } from "@/features/agent-sql/run";
import { createApiKey } from "@/features/api-keys/store";
import { adminSql, ownerSql, tenantIdsBySlug } from "../support/db";

/** The guarded path's behaviour beyond the corpus: what it accepts, its limits, and its audit trail. */
let acme = "";
let alice = "";
let keyId = "";
let startedAt: Date;

before(async () => {
  acme = (await tenantIdsBySlug())["acme-health"]!;
  const [user] = await adminSql()<{ id: string }[]>`select id from users where email = 'alice@acme.test'`;
  alice = user!.id;
  keyId = (
    await withTenant(acme, (tx) => createApiKey(tx, { tenantId: acme, name: "guarded path suite", createdBy: null }))
  ).id;
  startedAt = (await adminSql()<{ now: Date }[]>`select now()`)[0]!.now;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

const asKey = (sql: string) =>
  runAgentSql({ tenantId: acme, actor: { kind: "api_key", keyId }, sql, via: "sql_endpoint" });

describe("the guard accepts the analytics agents write", () => {
  const ordinary = [
    "SELECT count(*) FROM conversations",
    "SELECT a.name, count(*) AS n FROM conversations c JOIN agents a ON a.tenant_id = c.tenant_id AND a.id = c.agent_id GROUP BY a.name ORDER BY n DESC",
    "SELECT date_trunc('week', started_at) AS week, avg(duration_seconds)::numeric(10,1) FROM conversations GROUP BY 1 ORDER BY 1",
    "WITH per_day AS (SELECT started_at::date AS day, count(*) AS n FROM conversations GROUP BY 1) SELECT day, n, sum(n) OVER (ORDER BY day) FROM per_day",
    "SELECT status, count(*) FILTER (WHERE channel = 'voice') AS voice, count(*) FILTER (WHERE channel = 'chat') AS chat FROM conversations GROUP BY ROLLUP (status)",
    "SELECT extract(hour FROM started_at) AS hour, count(*) FROM conversations GROUP BY 1 ORDER BY 1",
    "SELECT c.caller, t.text FROM conversations c JOIN LATERAL (SELECT text FROM conversation_turns t WHERE t.conversation_id = c.id ORDER BY position LIMIT 1) t ON true LIMIT 5",
    "SELECT * FROM conversations WHERE summary ILIKE '%refund%' AND started_at > now() - interval '30 days' ORDER BY started_at DESC LIMIT 10",
    "SELECT day::date FROM generate_series(current_date - 6, current_date, interval '1 day') AS day",
    "VALUES (1, 'one'), (2, 'two')",
    "TABLE agents",
    "SELECT percentile_cont(0.9) WITHIN GROUP (ORDER BY duration_seconds) FROM conversations",
    "SELECT coalesce(nullif(trim(caller), ''), 'unknown'), greatest(duration_seconds, 0) FROM conversations LIMIT 3",
    "SELECT 'voice'::channel, CAST('2026-01-01' AS date), (c).summary FROM conversations c LIMIT 1",
    "select 1;",
  ];
  for (const sql of ordinary) {
    it(sql.slice(0, 90), async () => {
      const outcome = await asKey(sql);
      assert.equal(outcome.ok, true, JSON.stringify(outcome));
    });
  }
});

describe("the guard refuses with a code that says why", () => {
  const cases: [string, string][] = [
    ["", "empty_statement"],
    ["-- nothing", "empty_statement"],
    ["selec 1", "syntax_error"],
    ["select 1; select 2", "multiple_statements"],
    ["explain select 1", "not_a_read"],
    ["begin", "not_a_read"],
    ["with x as (insert into agents default values returning id) select * from x", "data_modifying_cte"],
    ["select * into t from agents", "select_into"],
    ["select * from agents for share", "locking_clause"],
    ["select current_setting('app.tenant_ctx')", "function_not_allowed"],
    ["select pg_catalog.set_config('a.b', 'c', true)", "function_not_allowed"],
    ["select c.pg_typeof from conversations c", "function_not_allowed"],
    ["select session_user", "function_not_allowed"],
    ["select * from pg_class", "relation_not_allowed"],
    ["select * from app.current_tenant_id()", "function_not_allowed"],
    ["select 'x'::regclass", "type_not_allowed"],
    ["select $1", "parameters_not_allowed"],
    ["select * from agents tablesample bernoulli (50)", "construct_not_allowed"],
  ];
  for (const [sql, code] of cases) {
    it(`${JSON.stringify(sql).slice(0, 80)} -> ${code}`, async () => {
      const verdict = await checkAgentSql(sql);
      assert.equal(verdict.ok, false);
      if (!verdict.ok) {
        assert.equal(verdict.refusal.code, code, verdict.refusal.message);
        assert.match(verdict.refusal.message, /^Refused: /);
      }
    });
  }

  it("a CTE may shadow a table name only inside its own scope", async () => {
    assert.equal((await checkAgentSql("with users as (select 1 as id) select * from users")).ok, true);
    const outside = await checkAgentSql("select * from (with users as (select 1) select 1) a, users");
    assert.equal(outside.ok, false);
  });
});

describe("limits", () => {
  it("acme's key counts acme's conversations, the number the BYPASSRLS control gives for acme", async () => {
    const outcome = await asKey("SELECT count(*) FROM conversations");
    const [truth] = await adminSql()<
      { n: string }[]
    >`select count(*)::text as n from conversations where tenant_id = ${acme}`;
    const [all] = await adminSql()<{ n: string }[]>`select count(*)::text as n from conversations`;
    assert.ok(outcome.ok);
    assert.deepEqual(outcome.ok && outcome.result.rows, [[truth!.n]]);
    assert.ok(Number(all!.n) > Number(truth!.n), "control: other tenants have conversations too");
  });

  it("stops at the row cap, fetching one row past it to say truncated", async () => {
    const capped = await runCheckedSql("select id from conversations" as CheckedSql, acme, {
      timeoutMs: 2000,
      rowCap: 10,
    });
    assert.equal(capped.rowCount, 10);
    assert.equal(capped.truncated, true);
    const exact = await runCheckedSql("select id from conversations limit 10" as CheckedSql, acme, {
      timeoutMs: 2000,
      rowCap: 10,
    });
    assert.equal(exact.truncated, false);
    assert.deepEqual(exact.columns, [{ name: "id", type: "uuid" }]);
  });

  it("a statement past the timeout comes back as statement_timeout, stopped by the database", async () => {
    const outcome = await asKey(
      "select count(*) from conversation_turns a, conversation_turns b, conversation_turns c",
    );
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.error.code, "statement_timeout");
      assert.equal(outcome.stoppedBy, "database");
    }
  });

  it("runs as agent_reader in a read-only transaction, and leaves nothing on the pooled connection", async () => {
    const outcome = await asKey("select current_setting('transaction_read_only') as ro");
    assert.equal(outcome.ok, false, "current_setting is not on the allow-list");
    const seen = await runCheckedSql(
      "select current_user, current_setting('transaction_read_only'), current_setting('statement_timeout')" as CheckedSql,
      acme,
      { timeoutMs: 1500, rowCap: 10 },
    );
    assert.deepEqual(seen.rows, [["agent_reader", "on", "1500ms"]]);
    const [after] = await rawPool("agent_reader")<{ ctx: string; timeout: string }[]>`
      select current_setting('app.tenant_ctx', true) as ctx, current_setting('statement_timeout') as timeout`;
    assert.equal(after!.ctx, "");
    assert.notEqual(after!.timeout, "1500ms");
  });
});

describe("audit", () => {
  it("records every call with the key or user, the SQL, the verdict, rows and duration", async () => {
    await asKey("select 42 as answer");
    await asKey("select pg_sleep(1)");
    await asKey("select 1/0");
    await runAgentSql({ tenantId: acme, actor: { kind: "user", userId: alice }, sql: "select 7", via: "sql_endpoint" });
    await agentSqlAuditsSettled(); // outcomes are filled in after the answer
    const rows = await adminSql()<{ actor: string | null; target: string; metadata: Record<string, unknown> }[]>`
      select actor_user_id as actor, target, metadata from audit_events
      where tenant_id = ${acme} and action = 'agent_sql.run' and occurred_at >= ${startedAt} and metadata->>'sql' in ('select 42 as answer', 'select pg_sleep(1)', 'select 1/0', 'select 7')
      order by id`;
    assert.equal(rows.length, 4);
    const [ok, parser, database, user] = rows;
    assert.equal(ok!.target, `api_key:${keyId}`);
    assert.equal(ok!.actor, null);
    assert.equal(ok!.metadata.verdict, "ok");
    assert.equal(ok!.metadata.rows, 1);
    assert.equal(typeof ok!.metadata.durationMs, "number");
    assert.equal(parser!.metadata.verdict, "refused_by_parser");
    assert.equal(parser!.metadata.errorCode, "function_not_allowed");
    assert.equal(database!.metadata.verdict, "refused_by_database");
    assert.equal(user!.actor, alice);
    assert.equal(user!.target, `user:${alice}`);
  });
});
