import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { and, desc, eq, sql as dsql } from "drizzle-orm";
import { QueryBuilder } from "drizzle-orm/pg-core";
import { closePools } from "@/db/client";
import { contextStatement } from "@/db/context";
import { coordinatorTables, distributedTables } from "@/db/citus/layout";
import { currentTenantCall, tenantPredicate } from "@/db/isolation";
import { agents, conversations } from "@/db/schema";
import { rules, runRlsLint } from "@/db/rls-lint";
import { rlsLintSettings } from "@/db/rls-lint/settings";
import { withTenant } from "@/db/tenant";
import { adminSql, appSql, ownerSql, rejectsWith, setContext, tenantIdsBySlug, token } from "../support/db";
import { agentOfConversation, listColumns } from "@/features/conversations/queries";

/**
 * The isolation design on a Citus coordinator with two workers (npm test starts the cluster, migrates,
 * seeds and runs `db:distribute`). Probes as app_user through the coordinator, each with its BYPASSRLS
 * control (platform_admin); the two things Citus changes are planted to show that these tests catch
 * them: a set_config setter (the workers see no context) and the InitPlan policy (refused).
 */
const owner = ownerSql();
const ids = await tenantIdsBySlug();
const acme = ids["acme-health"]!;
const globex = ids["globex-realty"]!;

after(async () => {
  await closePools();
  await owner.end();
});

type Counts = Record<(typeof distributedTables)[number], number>;

/** Rows of each distributed table a transaction sees, as { table: count }. */
const countsSql = distributedTables
  .map((t) => `select '${t}' as tbl, count(*)::int as n from public.${t}`)
  .join(" union all ");
const asCounts = (rows: readonly { tbl: string; n: number }[]) =>
  Object.fromEntries(rows.map((r) => [r.tbl, r.n])) as Counts;

async function truthFor(tenant: string): Promise<Counts> {
  const rows = await owner.unsafe<{ tbl: string; n: number }[]>(
    distributedTables
      .map((t) => `select '${t}' as tbl, count(*)::int as n from public.${t} where tenant_id = $1`)
      .join(" union all "),
    [tenant],
  );
  return asCounts(rows);
}

describe("Citus: the sharded layout", () => {
  it("tenant tables are distributed by tenant_id and co-located; the others stay on the coordinator", async (t) => {
    const rows = await owner<{ name: string; column: string; colocation: number }[]>`
      select logicalrelid::regclass::text as name, column_to_column_name(logicalrelid, partkey) as column, colocationid as colocation
      from pg_dist_partition order by 1`;
    assert.deepEqual(rows.map((r) => r.name).sort(), [...distributedTables].sort());
    assert.ok(rows.every((r) => r.column === "tenant_id"));
    assert.equal(new Set(rows.map((r) => r.colocation)).size, 1, "one co-location group");
    for (const table of Object.keys(coordinatorTables)) assert.ok(!rows.some((r) => r.name === table), table);
    const [shards] = await owner<{ n: number; nodes: number }[]>`
      select count(*)::int as n, count(distinct nodeport)::int as nodes from pg_dist_shard join pg_dist_placement using (shardid)
      join pg_dist_node using (groupid) where logicalrelid = 'conversations'::regclass`;
    assert.equal(shards!.nodes, 2, "conversations' shards are spread over both workers");
    t.diagnostic(`${rows.length} distributed tables, ${shards!.n} shards each over ${shards!.nodes} workers`);
    assert.ok(shards!.n > 2);
  });

  it("policies of distributed tables are db/isolation.ts's bare predicate; tables on the coordinator keep the InitPlan", async () => {
    const policies = await owner<{ table: string; qual: string | null; check: string | null }[]>`
      select tablename as table, qual, with_check as check from pg_policies where schemaname = 'public'`;
    const bare = `(${tenantPredicate("citus")})`;
    for (const p of policies.filter((p) => (distributedTables as readonly string[]).includes(p.table))) {
      // The tenant predicate itself, or (the agent SQL audit outcome's UPDATE) the predicate and more.
      for (const e of [p.qual, p.check]) {
        if (e === null) continue;
        assert.ok(e === bare || e.startsWith(`(${bare} AND `), `${p.table}: ${e}`);
        assert.doesNotMatch(e, /select app\.current_tenant_id/i, p.table);
      }
    }
    const onCoordinator = policies.filter((p) => p.table === "api_keys");
    assert.ok(
      onCoordinator.length > 0 && onCoordinator.every((p) => /SELECT app\.current_tenant_id\(\)/.test(p.qual!)),
    );
  });

  it("every worker holds the same context key, in a plain table, and the runtime roles", async () => {
    const [coordinator] = await owner<{ digest: string }[]>`
      select encode(extensions.digest(key, 'sha256'), 'hex') as digest from app_private.context_key`;
    const workers = await owner<{ result: string; success: boolean }[]>`
      select result, success from run_command_on_workers($$select encode(extensions.digest(key, 'sha256'), 'hex') || ' ' ||
        (select count(*) from pg_dist_partition where logicalrelid = 'app_private.context_key'::regclass) from app_private.context_key$$)`;
    assert.equal(workers.length, 2);
    for (const w of workers) assert.deepEqual([w.success, w.result], [true, `${coordinator!.digest} 0`]);
    const roles = await owner<{ result: string }[]>`
      select result from run_command_on_workers($$select string_agg(rolname || ':' || rolbypassrls, ',' order by rolname)
        from pg_roles where rolname in ('app_user', 'agent_reader', 'platform_admin')$$)`;
    for (const r of roles) assert.equal(r.result, "agent_reader:false,app_user:false,platform_admin:true");
  });
});

describe("Citus: the RLS lint", () => {
  it("finds nothing on the distributed schema; control: without knowing the distributed tables it flags their bare calls", async (t) => {
    const { catalog, findings } = await runRlsLint(owner);
    assert.deepEqual(findings, []);
    assert.equal(catalog.distributedTableOids.size, distributedTables.length);
    const blind = { ...catalog, distributedTableOids: new Set<string>() };
    const exceptions = { globalUniqueKeys: new Set(rlsLintSettings.globalUniqueKeys.map((k) => k.index)) };
    const flagged = rules.flatMap((r) => r.run(blind, exceptions));
    assert.ok(flagged.length > 0 && flagged.every((f) => f.rule === "policy-context-not-wrapped"));
    t.diagnostic(`control: ${flagged.length} bare calls flagged when the tables are not known to be distributed`);
  });
});

describe("Citus: the tenant context reaches the workers", () => {
  it("the context statement is app.enter_tenant($1) on Citus (DB_CITUS=true)", () => {
    assert.match(contextStatement({ tenantId: acme }).text, /^select app\.enter_tenant\(\$1\)/);
  });

  it("withTenant sees exactly its tenant's rows of every distributed table; control: BYPASSRLS sees every tenant", async (t) => {
    const own = asCounts(await withTenant(acme, (tx) => tx.execute<{ tbl: string; n: number }>(dsql.raw(countsSql))));
    assert.deepEqual(own, await truthFor(acme));
    const all = asCounts(await adminSql().unsafe<{ tbl: string; n: number }[]>(countsSql));
    for (const table of distributedTables) assert.ok(all[table] >= own[table]);
    assert.ok(all.conversations > own.conversations && all.agents > own.agents, "control: other tenants' rows exist");
    t.diagnostic(`acme through withTenant: ${JSON.stringify(own)}; BYPASSRLS: ${JSON.stringify(all)}`);
  });

  it("planted: a set_config setter (single-node's) leaves the workers without context: the same check sees no rows", async () => {
    const planted = asCounts(
      await appSql().begin(async (tx) => {
        await tx`select set_config('app.tenant_ctx', ${token({ tenantId: acme })}, true)`;
        // The coordinator itself has the setting: only the workers miss it.
        const [here] = await tx<{ tenant: string }[]>`select app.current_tenant_id() as tenant`;
        assert.equal(here!.tenant, acme);
        return tx.unsafe<{ tbl: string; n: number }[]>(countsSql);
      }),
    );
    assert.deepEqual(planted, Object.fromEntries(distributedTables.map((t) => [t, 0])));
    assert.notDeepEqual(planted, await truthFor(acme), "the check above would fail with this setter");
  });

  it("a forged, expired or tampered context is refused by the verifier on the workers", async () => {
    const forged = token({ tenantId: globex }, { secret: "a-key-that-is-not-the-server-secret-0123456789" });
    const expired = token({ tenantId: globex }, { ttlSeconds: 30, nowMs: Date.now() - 120_000 });
    const tampered = token({ tenantId: acme }).replace(acme, globex);
    for (const [ctx, pattern] of [
      [forged, /bad signature/],
      [expired, /expired/],
      [tampered, /bad signature/],
    ] as const) {
      // Routed to globex's shard by the explicit filter: the worker's verifier refuses the token.
      await rejectsWith(
        appSql().begin(async (tx) => {
          await setContext(tx, ctx);
          return tx`select count(*) from conversations where tenant_id = ${globex}`;
        }),
        pattern,
      );
    }
    // Control: BYPASSRLS reads globex's rows with the same statement.
    const [control] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where tenant_id = ${globex}`;
    assert.ok(control!.n > 0);
  });

  it("no context: app_user sees no row of any distributed table, routed or fanned out", async () => {
    const none = asCounts(await appSql().begin((tx) => tx.unsafe<{ tbl: string; n: number }[]>(countsSql)));
    assert.deepEqual(none, Object.fromEntries(distributedTables.map((t) => [t, 0])));
    const [routed] = await appSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where tenant_id = ${acme}`;
    assert.equal(routed!.n, 0);
  });

  it("another tenant's rows stay out of reach with a valid context, and WITH CHECK refuses writing into them", async () => {
    const rows = await withTenant(acme, (tx) =>
      tx.execute<{ n: number }>(dsql`select count(*)::int as n from conversations where tenant_id = ${globex}`),
    );
    assert.equal(rows[0]!.n, 0);
    await rejectsWith(
      withTenant(acme, (tx) =>
        tx.execute(dsql`insert into audit_events (tenant_id, action) values (${globex}, 'test.cross-tenant')`),
      ),
      /row-level security/,
    );
  });

  it("planted: the InitPlan form of the policy is refused on a distributed table (why Citus gets the bare call)", async () => {
    const refused = await owner
      .begin(async (tx) => {
        await tx.unsafe(`alter policy tenant_isolation on agents using (${tenantPredicate("postgres")})`);
      })
      .then(
        () => null,
        (error: Error & { detail?: string }) => `${error.message}: ${error.detail ?? ""}`,
      );
    assert.match(
      refused ?? "accepted",
      /cannot create policy: Subqueries are not supported in policies on distributed tables/,
    );
    assert.equal(currentTenantCall("citus"), "app.current_tenant_id()");
  });
});

describe("Citus: routing", () => {
  const qb = new QueryBuilder();
  const list = (tenantFilter: boolean) =>
    qb
      .select(listColumns)
      .from(conversations)
      .innerJoin(agents, agentOfConversation)
      .where(tenantFilter ? and(eq(conversations.tenantId, acme)) : undefined)
      .orderBy(desc(conversations.startedAt), desc(conversations.id))
      .limit(51)
      .toSQL();

  async function explain(query: { sql: string; params: unknown[] }): Promise<string> {
    const plan = await appSql().begin(async (tx) => {
      await setContext(tx, token({ tenantId: acme }));
      return tx.unsafe<{ "QUERY PLAN": string }[]>(`explain ${query.sql}`, query.params as string[]);
    });
    return plan.map((r) => r["QUERY PLAN"]).join("\n");
  }

  it("the conversations list with the explicit tenant filter goes to one shard; without it, to every shard", async (t) => {
    const routed = await explain(list(true));
    const fanned = await explain(list(false));
    assert.match(routed, /Task Count: 1\n/);
    const tasks = Number(/Task Count: (\d+)/.exec(fanned)?.[1]);
    assert.ok(tasks > 1, fanned);
    t.diagnostic(`with tenant_id = $1: ${routed.split("\n").slice(0, 3).join(" | ")}`);
    t.diagnostic(`RLS alone: Task Count ${tasks}`);
  });
});
