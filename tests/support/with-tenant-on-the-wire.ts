import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { startWireCounter } from "@/bench/wire";
import { closePools } from "@/db/client";
import { mintContextToken } from "@/db/context-token";
import * as schema from "@/db/schema";
import { conversations } from "@/db/schema";
import { withTenant } from "@/db/tenant";
import { dbEnv, derivedRolePassword } from "@/db/env";

/**
 * Run in a child process by tests/db/with-tenant-transaction.test.ts: the app's connection goes
 * through a counting proxy (set up before env() is first read), then withTenant runs one query per
 * call, returned unawaited (and, for comparison, awaited inside fn). Prints JSON: rows seen, round
 * trips and messages per call, the named statements left on the
 * connection, and the same counts for the first slice's transaction shape (the control that shows
 * the counter can tell).
 */
const tenantId = process.argv[2]!;
const calls = 10;
const owner = new URL(process.env.DATABASE_URL!);
const counter = await startWireCounter({ host: owner.hostname, port: Number(owner.port) });
const app = new URL(owner);
app.port = String(counter.port);
app.username = "app_user";
app.password = derivedRolePassword(process.env.TENANT_CONTEXT_SECRET!, "app_user");
process.env.APP_DATABASE_URL = app.toString();

const visible = () =>
  withTenant(tenantId, (tx) =>
    tx.execute<{ total: number; foreign: number; ctx: string; named: number }>(
      sql`select count(*)::int as total, count(*) filter (where tenant_id <> ${tenantId})::int as foreign,
                 current_setting('app.tenant_ctx', true) as ctx,
                 (select count(*)::int from pg_prepared_statements) as named
          from conversations`,
    ),
  );

// A select built with the query builder (a QueryPromise by mixin, not by class): also one round trip.
const visibleSelect = () =>
  withTenant(tenantId, (tx) => tx.select({ total: sql<number>`count(*)::int` }).from(conversations));

// The same statement awaited inside fn: withTenant cannot know it is the last, so COMMIT waits for fn.
const visibleAwaited = () =>
  withTenant(tenantId, async (tx) => {
    const rows = await tx.execute(sql`select count(*)::int as total from conversations`);
    return rows;
  });

async function perCall(run: () => Promise<unknown>) {
  for (let i = 0; i < 3; i++) await run(); // connection open, parameter types learnt
  counter.reset();
  for (let i = 0; i < calls; i++) await run();
  const { roundTrips, messages } = counter.counts();
  return {
    roundTrips: roundTrips / calls,
    messages: Object.fromEntries(Object.entries(messages).map(([k, n]) => [k, n / calls])),
  };
}

// The first slice's withTenant: drizzle's db.transaction on the stock driver options, awaited set_config.
const firstSliceClient = postgres(app.toString(), { max: 1, prepare: false, onnotice: () => undefined });
const firstSlice = drizzle({ client: firstSliceClient, schema });
try {
  const [row] = await visible();
  const withTenantCounts = await perCall(visible);
  const awaitedCounts = await perCall(visibleAwaited);
  const selectCounts = await perCall(visibleSelect);
  const firstSliceCounts = await perCall(() =>
    firstSlice.transaction(async (tx) => {
      const token = mintContextToken({ tenantId }, dbEnv().TENANT_CONTEXT_SECRET, 30);
      await tx.execute(sql`select set_config('app.tenant_ctx', ${token}, true)`);
      return tx.execute(sql`select count(*)::int from conversations where tenant_id = ${tenantId}`);
    }),
  );
  const [after] = await visible();
  console.log(
    JSON.stringify({
      total: row!.total,
      foreign: row!.foreign,
      contextSet: row!.ctx.startsWith(`v1.${tenantId}.`),
      namedStatements: after!.named,
      withTenant: withTenantCounts,
      awaited: awaitedCounts,
      select: selectCounts,
      firstSlice: firstSliceCounts,
    }),
  );
} finally {
  await firstSliceClient.end();
  await closePools();
  await counter.close();
}
