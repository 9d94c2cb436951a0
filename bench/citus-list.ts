import { sql } from "drizzle-orm";
import { withTenant } from "@/db/tenant";
import { closePools, rawPool } from "@/db/client";
import { listConversations } from "@/features/conversations/queries";
import { percentile } from "./stats";

/**
 * One phase of `npm run bench:citus` (scripts/bench-citus.ts), in its own process so that DB_CITUS and
 * the pools are those of the phase: the conversations list page through the app's own path (withTenant +
 * listConversations, explicit tenant filter), for tenants drawn in turn, then a query that has only RLS
 * to narrow it (no tenant filter: every shard on Citus). Prints one line `CITUS_BENCH <json>`.
 */
const iterations = Number(process.env.BENCH_ITERATIONS ?? 300);
const admin = rawPool("platform_admin");
const tenants = (await admin<{ id: string }[]>`select id from tenants order by slug`).map((r) => r.id);

async function timed(fn: () => Promise<unknown>): Promise<number[]> {
  for (let i = 0; i < 20; i++) await fn(); // warm-up: connections, plans, the token cache
  const ms: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const started = performance.now();
    await fn();
    ms.push(performance.now() - started);
  }
  return ms.sort((a, b) => a - b);
}

let turn = 0;
const next = () => tenants[turn++ % tenants.length]!;
const list = await timed(() => {
  const tenant = next();
  return withTenant(tenant, (tx) => listConversations(tx, tenant, {}, null));
});
const rlsOnly = await timed(() => {
  const tenant = next();
  return withTenant(tenant, (tx) => tx.execute(sql`select count(*) from conversations where status = 'escalated'`));
});
const routed = await timed(() => {
  const tenant = next();
  return withTenant(tenant, (tx) =>
    tx.execute(sql`select count(*) from conversations where status = 'escalated' and tenant_id = ${tenant}`),
  );
});
const summary = (ms: number[]) => ({ p50: percentile(ms, 50), p95: percentile(ms, 95) });
console.log(
  `CITUS_BENCH ${JSON.stringify({ list: summary(list), rlsOnly: summary(rlsOnly), routed: summary(routed), iterations })}`,
);
await closePools();
