import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { startWireCounter, type WireCounts } from "@/bench/wire";
import type { CheckedSql } from "@/db";
import { agentSqlAuditsSettled, runCheckedSql } from "@/db/agent-sql";
import { closePools } from "@/db/client";
import { mintContextToken } from "@/db/context-token";
import { dbEnv, derivedRolePassword } from "@/db/env";
import * as schema from "@/db/schema";
import { conversations } from "@/db/schema";
import { lastly } from "@/db/pipelined-transaction";
import { withTenant } from "@/db/tenant";
import { together } from "@/db/together";

/**
 * Run in a child process by tests/db/with-tenant-transaction.test.ts: the app's and the agent's
 * connections go through a counting proxy (bench/wire.ts, set up before dbEnv() is first read), then
 * each shape of withTenant (and agent SQL) runs 3 times to warm up (connection open, parameter types
 * learnt) and 10 times counted.
 * Prints JSON: rows seen, per shape the round trips and messages per call and the statements one call
 * sent, in order; the named statements left on the connection; and the plain Drizzle transaction's shape
 * (the control that shows the counter can tell).
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
const agent = new URL(app);
agent.username = "agent_reader";
agent.password = derivedRolePassword(process.env.TENANT_CONTEXT_SECRET!, "agent_reader");
process.env.AGENT_DATABASE_URL = agent.toString();

export interface Shape extends WireCounts {
  /** The statements one call sent (simple Query and Parse texts), in the order sent. */
  statements: string[];
}

const visible = () =>
  withTenant(tenantId, (tx) =>
    tx.execute<{ total: number; foreign: number; ctx: string; named: number }>(
      sql`select count(*)::int as total, count(*) filter (where tenant_id <> ${tenantId})::int as foreign,
                 current_setting('app.tenant_ctx', true) as ctx,
                 (select count(*)::int from pg_prepared_statements) as named
          from conversations`,
    ),
  );

const count = sql`select count(*)::int as total from conversations`;
const since = new Date("2020-01-01T00:00:00Z");

const shapes: Record<string, () => Promise<unknown>> = {
  // One query, returned unawaited: BEGIN, the context, the query and COMMIT in one write.
  oneQuery: () => withTenant(tenantId, (tx) => tx.execute(count)),
  // A select built with the query builder (a QueryPromise by mixin, not by class): the same.
  select: () => withTenant(tenantId, (tx) => tx.select({ total: sql<number>`count(*)::int` }).from(conversations)),
  // The same statement awaited inside fn: withTenant cannot know it is the last, so COMMIT waits for fn.
  awaited: () =>
    withTenant(tenantId, async (tx) => {
      const rows = await tx.execute(count);
      return rows;
    }),
  // Two queries, the second after the first's answer: one round trip each, then COMMIT.
  twoQueries: () =>
    withTenant(tenantId, async (tx) => {
      await tx.execute(count);
      return tx.execute(sql`select count(*)::int as total from agents`);
    }),
  // Independent statements sent together: one round trip for all of them, then COMMIT.
  together: () =>
    withTenant(tenantId, (tx) =>
      together([tx.execute(count), tx.execute(sql`select count(*)::int as total from agents`)]),
    ),
  // The transaction's last statements handed to lastly(): sent together, COMMIT in the same write.
  lastly: () =>
    withTenant(tenantId, (tx) =>
      lastly(tx, [tx.execute(count), tx.execute(sql`select count(*)::int as total from agents`)]),
    ),
  // Control: lastly() given a query already started cannot count it, so COMMIT waits for fn (as together).
  lastlyStarted: () =>
    withTenant(tenantId, (tx) => {
      const started = Promise.resolve(tx.execute(count));
      return lastly(tx, [started, tx.execute(sql`select count(*)::int as total from agents`)]);
    }),
  // A parameterised statement repeated on the connection: its parameter types are known after the
  // first call, so it goes out without a Describe round trip first (patches/postgres+3.4.9.patch).
  parameterised: () =>
    withTenant(tenantId, (tx) =>
      tx.execute(sql`select count(*)::int as total from conversations where tenant_id = ${tenantId}
                     and started_at > ${since.toISOString()}::timestamptz`),
    ),
  // Agent SQL (runCheckedSql): BEGIN READ ONLY, the context with its timeout and search path, the
  // agent's query (wrapped so PostgreSQL bounds its answer) and COMMIT in one write.
  agentSql: () => runCheckedSql("select id, status from conversations limit 5" as CheckedSql, tenantId),
  // The same with its audit row: the call's row (read-write transaction, same context) goes first in
  // the same write; the outcome is written after the answer with others (written at once here, to be counted).
  agentSqlAudited: async () => {
    await runCheckedSql(
      "select id, status from conversations limit 5" as CheckedSql,
      tenantId,
      {},
      {
        target: "wire-test",
        call: { via: "wire-test", sql: "select id, status from conversations limit 5" },
        outcome: (settled) => ({ verdict: settled.ok ? "ok" : "refused_by_database" }),
      },
    );
    await agentSqlAuditsSettled();
  },
};

async function perCall(run: () => Promise<unknown>): Promise<Shape> {
  for (let i = 0; i < 3; i++) await run(); // connection open, parameter types learnt
  counter.reset();
  for (let i = 0; i < calls; i++) await run();
  const { roundTrips, messages } = counter.counts();
  counter.reset();
  await run();
  return {
    roundTrips: roundTrips / calls,
    messages: Object.fromEntries(Object.entries(messages).map(([k, n]) => [k, n / calls])),
    statements: counter.statements().map((s) => s.replace(/\s+/g, " ").trim()),
  };
}

// A plain Drizzle withTenant: drizzle's db.transaction on the stock driver options, awaited set_config.
const unpipelinedClient = postgres(app.toString(), { max: 1, prepare: false, onnotice: () => undefined });
const unpipelined = drizzle({ client: unpipelinedClient, schema });
try {
  const [row] = await visible();
  const counted: Record<string, Shape> = {};
  for (const [name, run] of Object.entries(shapes)) counted[name] = await perCall(run);
  counted.unpipelined = await perCall(() =>
    unpipelined.transaction(async (tx) => {
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
      shapes: counted,
    }),
  );
} finally {
  await unpipelinedClient.end();
  await closePools();
  await counter.close();
}
