import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { closePools } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { ownerSql, tenantIdsBySlug } from "../support/db";

/**
 * Newest-first pages must be able to read their index in order and stop after one page. An index
 * built as DESC NULLS LAST (what drizzle's `.desc()` emits) does not serve ORDER BY … DESC, which is
 * DESC NULLS FIRST: every list page then read and sorted all of the tenant's rows (drizzle/0011).
 * Plan shapes only, no timings; `enable_sort = off` asks whether an ordered path exists at all,
 * whatever the size of the test data.
 */
let acme = "";
before(async () => {
  acme = (await tenantIdsBySlug())["acme-health"]!;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

async function planOf(orderBy: ReturnType<typeof sql>): Promise<string> {
  return withTenant(acme, async (tx) => {
    await tx.execute(sql`set local enable_sort = off`);
    const rows = await tx.execute<{ "QUERY PLAN": string }>(sql`
      explain select c.id, c.started_at, a.name
      from conversations c join agents a on a.tenant_id = c.tenant_id and a.id = c.agent_id
      where c.tenant_id = ${acme} ${orderBy} limit 51`);
    return rows.map((r) => r["QUERY PLAN"]).join("\n");
  });
}

describe("list pages read their index newest first", () => {
  it("the conversations list is an ordered scan of conversations_tenant_started_idx, with no sort", async () => {
    const plan = await planOf(sql`order by c.started_at desc, c.id desc`);
    assert.match(plan, /Index Scan( Backward)? using conversations_tenant_started_idx/, plan);
    assert.doesNotMatch(plan, /\bSort\b/, plan);
    // Control: an order the index does not provide is sorted, so the check above can fail.
    const control = await planOf(sql`order by c.started_at desc nulls last, c.id desc nulls last`);
    assert.match(control, /\bSort\b/, control);
  });

  it("every descending index column is NULLS FIRST, the order ORDER BY … DESC asks for", async () => {
    const rows = await ownerSql()<{ index: string; column: number }[]>`
      select i.indexrelid::regclass::text as index, k.n as column
      from pg_index i
      join pg_class c on c.oid = i.indrelid
      join pg_namespace s on s.oid = c.relnamespace and s.nspname = 'public'
      cross join lateral unnest(i.indoption::int2[]) with ordinality as k(option, n)
      where (k.option & 1) = 1 and (k.option & 2) = 0`; // INDOPTION_DESC set, INDOPTION_NULLS_FIRST not
    assert.deepEqual([...rows], []);
    const [{ n } = { n: 0 }] = await ownerSql()<{ n: number }[]>`
      select count(*)::int as n from pg_index i, unnest(i.indoption::int2[]) o(option)
      where i.indrelid in (select oid from pg_class where relnamespace = 'public'::regnamespace) and (o.option & 1) = 1`;
    assert.ok(n >= 6, `the check saw ${n} descending index columns`);
  });
});
