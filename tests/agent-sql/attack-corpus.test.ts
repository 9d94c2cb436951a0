import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { closePools, rawPool } from "@/db/client";
import { runCheckedSql } from "@/db/agent-sql";
import { withTenant } from "@/db/tenant";
import type { CheckedSql } from "@/db";
import { runAgentSql, type AgentSqlOutcome } from "@/features/agent-sql/run";
import { createApiKey } from "@/features/api-keys/store";
import { attackCategories, attacks, expectedRows, fillPlaceholders, type Attack } from "../support/attack-corpus";
import { foreignMarkersIn, loadCorpusData, type CorpusData } from "../support/corpus-context";
import { adminSql, appSql, ownerSql, rejectsWith, token } from "../support/db";

/**
 * The attack corpus through the guarded path as acme-health's API key: every statement is refused
 * (by the parser or by PostgreSQL) or answers with acme's rows alone. Then, per category, the control
 * that shows the attack does harm without the guard, and what the database alone does with the
 * parser switched off.
 */
let data: CorpusData;
let keyId = "";
const limits = { timeoutMs: 2000, rowCap: 1000 };

type Verdict = "parser" | "database" | "answered";
const census = new Map<string, Verdict[]>();

before(async () => {
  data = await loadCorpusData(adminSql());
  const acme = data.ctx.acme;
  keyId = (
    await withTenant(acme, (tx) =>
      createApiKey(tx, { tenantId: acme, name: "attack corpus (db suite)", createdBy: null }),
    )
  ).id;
});
after(async () => {
  const rows = attackCategories.map((c) => {
    const v = census.get(c) ?? [];
    const n = (k: Verdict) => v.filter((x) => x === k).length;
    return `${c.padEnd(38)} ${String(v.length).padStart(3)} ${String(n("parser")).padStart(7)} ${String(n("database")).padStart(9)} ${String(n("answered")).padStart(9)}`;
  });
  const all = [...census.values()].flat();
  console.log(
    `\nAttack corpus through the guarded path (acme-health's key):\n${"category".padEnd(38)} total  parser  database  answered\n${rows.join("\n")}\n` +
      `${"all".padEnd(38)} ${String(all.length).padStart(3)} ${String(all.filter((x) => x === "parser").length).padStart(7)} ${String(all.filter((x) => x === "database").length).padStart(9)} ${String(all.filter((x) => x === "answered").length).padStart(9)}`,
  );
  await closePools();
  await ownerSql().end();
});

function checkOutcome(attack: Attack, sql: string, outcome: AgentSqlOutcome): Verdict {
  const answer = JSON.stringify(outcome);
  assert.deepEqual(
    foreignMarkersIn(answer, data.foreignMarkers, sql),
    [],
    `another tenant's data in the answer to: ${sql}`,
  );
  if (attack.expect === "refused") {
    assert.equal(outcome.ok, false, `expected a refusal for: ${sql}\ngot: ${answer.slice(0, 300)}`);
  } else {
    assert.equal(outcome.ok, true, `expected an answer for: ${sql}\ngot: ${answer.slice(0, 300)}`);
    const rows = expectedRows(attack.expect, data.ctx);
    if (rows && outcome.ok) assert.deepEqual(outcome.result.rows, rows, `rows of: ${sql}`);
  }
  return outcome.ok ? "answered" : outcome.stoppedBy;
}

describe("the attack corpus through the guarded path", () => {
  it("has at least 60 statements in every listed category", () => {
    assert.ok(attacks.length >= 60, `${attacks.length} statements`);
    for (const c of attackCategories)
      assert.ok(
        attacks.some((a) => a.category === c),
        `no statement for ${c}`,
      );
  });

  for (const category of attackCategories) {
    it(`${category}: refused, or only acme-health's rows`, async () => {
      const verdicts: Verdict[] = [];
      for (const attack of attacks.filter((a) => a.category === category)) {
        const sql = fillPlaceholders(attack.sql, data.ctx);
        const outcome = await runAgentSql({
          tenantId: data.ctx.acme,
          actor: { kind: "api_key", keyId },
          sql,
          via: "sql_endpoint",
        });
        verdicts.push(checkOutcome(attack, sql, outcome));
      }
      census.set(category, verdicts);
    });
  }

  it("SQL that PostgreSQL rejects comes back with PostgreSQL's own message", async () => {
    const outcome = await runAgentSql({
      tenantId: data.ctx.acme,
      actor: { kind: "api_key", keyId },
      sql: "select 1/0",
      via: "sql_endpoint",
    });
    assert.equal(outcome.ok, false);
    if (!outcome.ok) {
      assert.equal(outcome.stoppedBy, "database");
      assert.equal(outcome.error.code, "database_error");
      assert.match(outcome.error.message, /division by zero/);
    }
  });
});

/** Runs SQL as the runner does, but without the parser: what the database alone stops. */
const unchecked = (sql: string) => runCheckedSql(fillPlaceholders(sql, data.ctx) as CheckedSql, data.ctx.acme, limits);

async function totalRows(table: string): Promise<number> {
  const [row] = await adminSql()<{ n: number }[]>`select count(*)::int as n from ${adminSql()(table)}`;
  return row!.n;
}

describe("controls: each category does harm without the guard", () => {
  it("tenant switching: the rows exist (BYPASSRLS sees them); a forged context is refused by PostgreSQL's signature check", async () => {
    const [control] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where tenant_id = ${data.ctx.other}`;
    assert.ok(control!.n > 0, "control: globex's conversations are there to steal");
    await rejectsWith(
      unchecked(
        "with s as (select set_config('app.tenant_ctx', '{{forgedToken}}', true)) select count(*) from s, conversations",
      ),
      /bad signature/,
    );
  });

  it("role switching: a role that may switch to platform_admin reads every tenant; agent_reader may not switch", async () => {
    const seen = await ownerSql().begin(async (tx) => {
      await tx`set local role platform_admin`;
      return tx<{ n: number }[]>`select count(*)::int as n from conversations`;
    });
    assert.equal(seen[0]!.n, await totalRows("conversations"));
    assert.ok(seen[0]!.n > data.ctx.acmeConversations);
    // A statement other than a read cannot even be sent (db/agent-sql.ts wraps the text in a read);
    // inside a read, the role change is PostgreSQL's to refuse.
    await rejectsWith(unchecked("set role platform_admin"), /syntax error/);
    await rejectsWith(unchecked("select set_config('role', 'platform_admin', true)"), /permission denied to set role/);
  });

  it("multi-statement: over the simple protocol `select 1; commit; …` escapes the read-only transaction; over the extended protocol PostgreSQL refuses it", async () => {
    // What a runner that sends agent text as a simple Query (postgres.js unsafe() without parameters) does.
    const escaped = await appSql().begin("read only", async (tx) => {
      await tx`select set_config('app.tenant_ctx', ${token({ tenantId: data.ctx.acme })}, true)`;
      return tx.unsafe(
        "select 1; commit; select current_setting('transaction_read_only') as ro, current_setting('app.tenant_ctx', true) as ctx",
      );
    });
    const last = (escaped as unknown as { ro: string; ctx: string }[][]).at(-1)![0]!;
    assert.deepEqual(
      last,
      { ro: "off", ctx: "" },
      "control: after COMMIT the statements ran outside the read-only, tenant-scoped transaction",
    );
    for (const attack of attacks.filter((a) => a.category === "multi-statement and comment tricks")) {
      if (!attack.sql.includes(";")) continue;
      await rejectsWith(
        unchecked(attack.sql),
        /cannot insert multiple commands into a prepared statement|syntax error/,
      );
    }
  });

  it("data-modifying CTE: on the app's own role it deletes the tenant's transcripts; agent_reader's read-only transaction refuses", async () => {
    const deleted = await appSql()
      .begin(async (tx) => {
        await tx`select set_config('app.tenant_ctx', ${token({ tenantId: data.ctx.acme })}, true)`;
        const [row] = await tx<
          { n: number }[]
        >`with d as (delete from conversation_turns returning 1) select count(*)::int as n from d`;
        throw Object.assign(new Error("rollback"), { deleted: row!.n });
      })
      .catch((e: { deleted?: number }) => e.deleted ?? 0);
    assert.ok(deleted > 1000, `control: the CTE would have deleted ${deleted} turns`);
    await rejectsWith(
      unchecked("with d as (delete from conversation_turns returning 1) select count(*) from d"),
      /read-only transaction|permission denied|must be at the top level/,
    );
    await rejectsWith(
      unchecked("select count(*) from (with d as (delete from conversation_turns returning 1) select * from d) x"),
      /read-only transaction|permission denied|must be at the top level/,
    );
  });

  it("catalog statistics: without the parser, agent_reader reads the whole table's row count (every tenant) from pg_class", async () => {
    // The database does not stop this one: pg_class is readable by every role. Only the parser does.
    const result = await unchecked("select reltuples::int as n from pg_class where relname = 'conversations'");
    const total = await totalRows("conversations");
    assert.ok(Number(result.rows[0]![0]) > data.ctx.acmeConversations, "control: the estimate covers every tenant");
    assert.ok(Math.abs(Number(result.rows[0]![0]) - total) <= total * 0.1);
    await rejectsWith(unchecked("select * from users"), /permission denied/);
  });

  it("EXPLAIN: without the parser, agent_reader gets plans with whole-table estimates; BYPASSRLS sees every tenant's rows", async () => {
    const plan = await rawPool("agent_reader").unsafe("explain select * from conversations");
    assert.ok(plan.length > 0, "EXPLAIN runs for agent_reader: the database does not stop it");
    // The runner sends only a read, wrapped (db/agent-sql.ts): EXPLAIN cannot be sent through it at all.
    await rejectsWith(unchecked("explain select * from conversations"), /syntax error/);
    const [rows] = await adminSql()<{ "QUERY PLAN": unknown }[]>`explain (format json) select * from conversations`;
    const planRows = (rows!["QUERY PLAN"] as { Plan: { "Plan Rows": number } }[])[0]!.Plan["Plan Rows"];
    assert.ok(planRows > data.ctx.acmeConversations, `control: ${planRows} rows estimated`);
  });

  it("files: the owner reads server files with pg_read_file; agent_reader is refused", async () => {
    const [row] = await ownerSql()<{ v: string }[]>`select pg_read_file('PG_VERSION') as v`;
    assert.match(row!.v, /^\d+/);
    await rejectsWith(unchecked("select pg_read_file('PG_VERSION')"), /permission denied/);
    await rejectsWith(unchecked("select lo_import('/etc/passwd')"), /permission denied/);
  });

  it("dynamic SQL: query_to_xml runs a query hidden in a string, past any check of the outer statement", async () => {
    const result = await unchecked(
      "select query_to_xml('select reltuples::int as n from pg_class where relname = ''conversations''', true, false, '')::text",
    );
    const total = await totalRows("conversations");
    const leaked = Number(/<n>(\d+)<\/n>/.exec(String(result.rows[0]![0]))?.[1]);
    assert.ok(
      leaked > data.ctx.acmeConversations && Math.abs(leaked - total) <= total * 0.1,
      `control: ${leaked} leaked through the string`,
    );
    await rejectsWith(unchecked("select * from dblink('dbname=app', 'select 1') as t(x int)"), /does not exist/);
  });

  it("runaway: without the timeout the recursive CTE is still running after 3 s; with it, PostgreSQL cancels it", async () => {
    const started = Date.now();
    await rejectsWith(
      adminSql().begin(async (tx) => {
        await tx`set local statement_timeout = 3000`;
        return tx`with recursive r(n) as (select 1 union all select n + 1 from r) select count(*) from r`;
      }),
      /statement timeout/,
    );
    assert.ok(Date.now() - started >= 2900, "control: it ran past the 2 s budget");
    await rejectsWith(unchecked("select pg_sleep(10)"), /statement timeout/);
  });

  it("huge results: unguarded, a query returns every row; guarded, it stops at the cap", async () => {
    const all = await adminSql()`select * from conversation_turns`;
    assert.ok(all.length > limits.rowCap * 5, `control: ${all.length} rows unguarded`);
    const capped = await unchecked("select * from conversation_turns");
    assert.equal(capped.rowCount, limits.rowCap);
    assert.equal(capped.truncated, true);
  });

  it('unicode escapes: U&"pg_\\0063lass" names pg_class, and the database alone lets agent_reader read it', async () => {
    const result = await unchecked("select reltuples::int from U&\"pg_\\0063lass\" where relname = 'conversations'");
    assert.ok(Number(result.rows[0]![0]) > data.ctx.acmeConversations);
  });

  it("parser accepts, PostgreSQL rejects: unguarded, the error escapes as an exception (a 500 in a route)", async () => {
    await rejectsWith(unchecked("select 1/0"), /division by zero/);
    await rejectsWith(unchecked("select no_such_column from conversations"), /does not exist/);
  });
});

describe("the database alone (parser off), over the whole corpus", () => {
  it("stops what it can and never returns another tenant's rows; what it lets through is catalog metadata", async () => {
    let stopped = 0;
    const answered: string[] = [];
    for (const attack of attacks) {
      try {
        const result = await unchecked(attack.sql);
        assert.deepEqual(
          foreignMarkersIn(JSON.stringify(result), data.foreignMarkers, fillPlaceholders(attack.sql, data.ctx)),
          [],
          attack.sql,
        );
        answered.push(attack.sql);
      } catch (error) {
        assert.ok(error instanceof Error && error.name === "PostgresError", `${attack.sql}: ${String(error)}`);
        stopped++;
      }
    }
    console.log(
      `\nParser off (the database alone): ${stopped} of ${attacks.length} stopped by PostgreSQL, ${answered.length} answered without another tenant's rows:\n  ${answered.join("\n  ")}`,
    );
    assert.ok(stopped > 0);
  });
});
