import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { closePools, rawPool } from "@/db/client";
import { contextStatement } from "@/db/context";
import { dbEnv } from "@/db/env";
import {
  BeginNotSynchronousError,
  ConnectionLostError,
  MissingContextError,
  pipelinedDrizzle,
  QueryAfterCommitError,
} from "@/db/pipelined-transaction";
import { conversations } from "@/db/schema";
import { withTenant, type TenantTx } from "@/db/tenant";
import { together } from "@/db/together";
import { adminSql, ownerSql, rejectsWith, tenantIdsBySlug } from "../support/db";
import type { Shape } from "../support/with-tenant-on-the-wire";

/**
 * withTenant sends BEGIN, the context and fn's first query in one round trip and COMMIT in a second,
 * or everything in one when fn returns its only query unawaited (db/pipelined-transaction.ts). These
 * tests hold it to what a plain Drizzle transaction guarantees with separate, awaited statements (context first,
 * errors not lost, savepoints, no named statements), and hold the adapter to its contract with Drizzle
 * and postgres.js: an upgrade that changes what it relies on fails here, loudly, instead of making
 * every request slower or running a statement without its context.
 */
let acme = "";
let globex = "";
before(async () => {
  const ids = await tenantIdsBySlug();
  acme = ids["acme-health"]!;
  globex = ids["globex-realty"]!;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

const newConversation = (tenantId: string, agentId: string, caller: string) => ({
  tenantId,
  agentId,
  channel: "voice" as const,
  caller,
  status: "completed" as const,
  startedAt: new Date(),
  durationSeconds: 1,
  summary: "test row",
});

async function anAgentOf(tenantId: string): Promise<string> {
  const [row] = await adminSql()<{ id: string }[]>`select id from agents where tenant_id = ${tenantId} limit 1`;
  return row!.id;
}

/** The error, or one of its causes (Drizzle wraps driver errors in DrizzleQueryError), is a `type`. */
const causedBy =
  (type: abstract new (...args: never[]) => Error) =>
  (error: unknown): boolean => {
    const chain: unknown[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) chain.push(e);
    return chain.some((e) => e instanceof type);
  };

async function rowsWithCaller(caller: string): Promise<number> {
  const [row] = await adminSql()<
    { n: number }[]
  >`select count(*)::int as n from conversations where caller = ${caller}`;
  return row!.n;
}

describe("withTenant's pipelined transaction", () => {
  it("a statement that failed inside fn, its error swallowed, makes withTenant fail and nothing commits", async () => {
    const caller = "test-swallowed-error";
    const agentId = await anAgentOf(acme);
    await rejectsWith(
      withTenant(acme, async (tx) => {
        await tx.insert(conversations).values(newConversation(acme, agentId, caller));
        await tx.execute(sql`select 1 / 0`).catch(() => undefined);
      }),
      /rolled back/,
    );
    assert.equal(await rowsWithCaller(caller), 0, "the insert before the failure was not committed");
    // Control: the same insert without the failing statement commits (the check can see a row).
    await withTenant(acme, (tx) => tx.insert(conversations).values(newConversation(acme, agentId, caller)));
    assert.equal(await rowsWithCaller(caller), 1);
    await ownerSql()`delete from conversations where caller = ${caller}`;
  });

  it("tx.transaction() is a savepoint: its rollback keeps the outer transaction and its context", async () => {
    const caller = "test-savepoint";
    const agentId = await anAgentOf(acme);
    const seen = await withTenant(acme, async (tx) => {
      await tx.insert(conversations).values(newConversation(acme, agentId, `${caller}-outer`));
      await assert.rejects(
        tx.transaction(async (inner) => {
          await inner.insert(conversations).values(newConversation(acme, agentId, `${caller}-inner`));
          throw new Error("inner fails");
        }),
        /inner fails/,
      );
      return tx.execute<{ n: number }>(sql`select count(*)::int as n from conversations where tenant_id <> ${acme}`);
    });
    assert.equal(seen[0]!.n, 0, "still inside acme's context after the savepoint rolled back");
    assert.equal(await rowsWithCaller(`${caller}-outer`), 1);
    assert.equal(await rowsWithCaller(`${caller}-inner`), 0);
    await ownerSql()`delete from conversations where caller like ${`${caller}%`}`;
  });

  it("a failing context statement is the error reported, not fn's 'transaction is aborted'", async () => {
    let ranFn = false;
    await rejectsWith(
      pipelinedDrizzle(rawPool("app_user")).transaction(
        { context: contextStatement({ tenantId: acme }, { statement_timeout: "banana" }) },
        async (tx) => {
          ranFn = true;
          return tx.execute(sql`select 1`);
        },
      ),
      /invalid value for parameter "statement_timeout"/,
    );
    assert.ok(ranFn, "fn's first query was sent along with the context statement");
  });

  it("a query fn returns unawaited commits behind it; if it fails, its error is thrown and nothing commits", async () => {
    const caller = "test-unawaited";
    const agentId = await anAgentOf(acme);
    const inserted = await withTenant(acme, (tx) =>
      tx
        .insert(conversations)
        .values(newConversation(acme, agentId, caller))
        .returning({ id: conversations.id }),
    );
    assert.equal(inserted.length, 1);
    assert.equal(await rowsWithCaller(caller), 1, "committed");
    // Another tenant's id in tenant_id: the policy's WITH CHECK refuses it, and COMMIT (already sent) rolls back.
    await rejectsWith(
      withTenant(acme, (tx) => tx.insert(conversations).values(newConversation(globex, agentId, `${caller}-refused`))),
      /row-level security/,
    );
    assert.equal(await rowsWithCaller(`${caller}-refused`), 0);
    // The connection came back clean: the next transaction sees its own context only.
    const [row] = await withTenant(globex, (tx) =>
      tx.execute<{ n: number }>(sql`select count(*)::int as n from conversations where tenant_id <> ${globex}`),
    );
    assert.equal(row!.n, 0);
    await ownerSql()`delete from conversations where caller like ${`${caller}%`}`;
  });

  it("a query sent on tx after withTenant returned fails instead of running outside the transaction", async () => {
    const caller = "test-after-commit";
    const agentId = await anAgentOf(acme);
    let leaked: TenantTx | undefined;
    await withTenant(acme, (tx) => {
      leaked = tx;
      return tx.execute(sql`select 1`);
    });
    await assert.rejects(
      leaked!.insert(conversations).values(newConversation(acme, agentId, caller)),
      causedBy(QueryAfterCommitError),
    );
    assert.equal(await rowsWithCaller(caller), 0);
  });

  it("statements sent together: the error reported is the first failing statement's, not the later ones' 'transaction is aborted'", async () => {
    await rejectsWith(
      withTenant(acme, (tx) =>
        together([tx.execute(sql`select 1`), tx.execute(sql`select 1 / ${0}::int`), tx.execute(sql`select 2`)]),
      ),
      /division by zero/,
    );
    const [first, second] = await withTenant(acme, (tx) =>
      together([tx.execute<{ n: number }>(sql`select 1 as n`), tx.execute<{ n: number }>(sql`select 2 as n`)]),
    );
    assert.deepEqual([first[0]!.n, second[0]!.n], [1, 2]);
  });

  it("a transaction that waits for a connection longer than a token lives still starts with a valid context", async () => {
    // The test process runs with DB_POOL_MAX=1 and TENANT_CONTEXT_TTL_SECONDS=2: the second withTenant
    // waits for the first's connection longer than a token minted when it was called would live.
    const ttl = dbEnv().TENANT_CONTEXT_TTL_SECONDS;
    assert.ok(ttl <= 5 && dbEnv().DB_POOL_MAX === 1, "run by npm test (short TTL, one connection)");
    let release!: () => void;
    const held = withTenant(acme, () => new Promise<void>((r) => (release = r)));
    const waiting = withTenant(acme, (tx) =>
      tx.execute<{ n: number }>(sql`select count(*)::int as n from conversations where tenant_id <> ${acme}`),
    );
    await new Promise((r) => setTimeout(r, (ttl + 0.5) * 1000));
    release();
    await held;
    const [row] = await waiting;
    assert.equal(row!.n, 0);
  });

  it("queries fn runs concurrently share the transaction and its context", async () => {
    const [mine, foreign] = await withTenant(globex, (tx) =>
      Promise.all([
        tx.execute<{ n: number }>(sql`select count(*)::int as n from conversations`),
        tx.execute<{ n: number }>(sql`select count(*)::int as n from conversations where tenant_id <> ${globex}`),
      ]),
    );
    const [truth] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where tenant_id = ${globex}`;
    assert.equal(mine[0]!.n, truth!.n);
    assert.equal(foreign[0]!.n, 0);
  });
});

describe("the patched postgres.js", () => {
  it("is the copy this process loads: patches/ patches src/ (the `import` export), not cjs/ or cf/", () => {
    // Node, tsx and Next (serverExternalPackages, which traces src/*) import postgres as ESM. If an
    // upgrade mapped `import` elsewhere, the patch would apply to a file nobody loads.
    const loaded = fileURLToPath(import.meta.resolve("postgres"));
    assert.equal(path.relative(process.cwd(), loaded), path.join("node_modules", "postgres", "src", "index.js"));
    for (const file of ["connection.js", "index.js"]) {
      const text = readFileSync(path.join(path.dirname(loaded), file), "utf8");
      assert.match(text, /rls-starter patch/, `${file} is patched (npm ci runs patch-package)`);
    }
  });
});

/**
 * What the adapter does when something it relies on fails: it refuses, loudly, and never runs a
 * statement without the context or outside the transaction.
 */
describe("the pipelined transaction fails closed", () => {
  it("begin() called without a pending context throws; no transaction starts", async () => {
    const database = pipelinedDrizzle(rawPool("app_user"));
    let ranFn = false;
    assert.throws(
      () =>
        database.drizzle.transaction(async (tx) => {
          ranFn = true;
          return tx.execute(sql`select count(*) from conversations`);
        }),
      MissingContextError,
    );
    assert.throws(() => database.drizzle.$client.begin(async () => undefined), MissingContextError);
    assert.equal(ranFn, false);
    // Outside a transaction, the database underneath runs nothing either.
    await rejectsWith(database.drizzle.execute(sql`select 1`), /inside pipelined transactions only/);
  });

  it("if Drizzle stops calling begin() synchronously in db.transaction(), every transaction is refused", async () => {
    const database = pipelinedDrizzle(rawPool("app_user"));
    // What a drizzle-orm release that awaits something before client.begin() would look like.
    const synchronous = database.drizzle.transaction.bind(database.drizzle);
    Object.assign(database.drizzle, {
      transaction: (...args: Parameters<typeof synchronous>) => Promise.resolve().then(() => synchronous(...args)),
    });
    let ranFn = false;
    await assert.rejects(
      database.transaction({ context: contextStatement({ tenantId: acme }) }, async (tx) => {
        ranFn = true;
        return tx.execute(sql`select 1`);
      }),
      BeginNotSynchronousError,
    );
    await new Promise((r) => setTimeout(r, 50)); // the deferred begin() has run by now, and thrown
    assert.equal(ranFn, false, "fn never ran");
    // Control: the same database with Drizzle's own transaction() works.
    Object.assign(database.drizzle, { transaction: synchronous });
    const [row] = await database.transaction({ context: contextStatement({ tenantId: acme }) }, (tx) =>
      tx.execute<{ n: number }>(sql`select count(*)::int as n from conversations where tenant_id <> ${acme}`),
    );
    assert.equal(row!.n, 0);
  });

  // The server ends the backend of a transaction's connection (pg_terminate_backend, as a failover or an
  // idle-in-transaction timeout would), with a query sent after it: once after the server's FATAL has
  // arrived (the query is written to a closed connection), five times straight after (the write meets
  // the closing socket), each followed at once by a transaction that must get a working connection.
  // The timeout: a driver that loses the next reserve() hangs instead of failing.
  it(
    "a connection lost mid-transaction: the error surfaces, nothing commits, and the pool recovers",
    { timeout: 60_000 },
    async () => {
      const caller = "test-connection-lost";
      const agentId = await anAgentOf(acme);
      const pids = new Set<number>();
      const lose = (waitForFatal: boolean) =>
        withTenant(acme, async (tx) => {
          await tx.insert(conversations).values(newConversation(acme, agentId, caller));
          const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
          pids.add(row!.pid);
          await ownerSql()`select pg_terminate_backend(${row!.pid})`;
          if (waitForFatal) await new Promise((r) => setTimeout(r, 100));
          await tx.execute(sql`select 1`);
          await tx.execute(sql`select 2`);
        });
      const recovered = async () => {
        const [row] = await withTenant(acme, (tx) =>
          tx.execute<{ pid: number; n: number }>(
            sql`select pg_backend_pid() as pid, (select count(*)::int from conversations where tenant_id <> ${acme}) as n`,
          ),
        );
        assert.ok(!pids.has(row!.pid), "a new connection");
        assert.equal(row!.n, 0, "with the context of its own transaction");
      };
      for (const waitForFatal of [true, false, false, false, false, false]) {
        await assert.rejects(lose(waitForFatal), causedBy(ConnectionLostError));
        await recovered();
      }
      assert.equal(await rowsWithCaller(caller), 0, "the inserts before the losses were not committed");
    },
  );
});

interface WireReport {
  total: number;
  foreign: number;
  contextSet: boolean;
  namedStatements: number;
  shapes: Record<
    | "oneQuery"
    | "select"
    | "awaited"
    | "twoQueries"
    | "together"
    | "lastly"
    | "lastlyStarted"
    | "parameterised"
    | "agentSql"
    | "agentSqlAudited"
    | "unpipelined",
    Shape
  >;
}

function onTheWire(tenantId: string): Promise<WireReport> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "tests/support/with-tenant-on-the-wire.ts", tenantId], {
      env: { ...process.env, DB_POOL_MAX: "1" },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split("\n").at(-1)!) as WireReport)
        : reject(new Error(`child exited ${code}: ${out}`)),
    );
  });
}

/**
 * The contract the pipelined transaction keeps with Drizzle and postgres.js, counted on the wire
 * through a proxy that reads the protocol (bench/wire.ts). An upgrade of either that changes what
 * db/pipelined-transaction.ts relies on fails here, by name, instead of making every request slower.
 */
describe("withTenant on the wire: the contract with Drizzle and postgres.js", () => {
  // The signed context and the statement timeout (DB_STATEMENT_TIMEOUT_MS), in one statement.
  const contextText = "select set_config('app.tenant_ctx', $1, true), set_config($2, $3, true)";
  let report: WireReport;
  before(async () => {
    report = await onTheWire(acme);
  });
  const show = (shape: Shape) => JSON.stringify(shape);

  it("sees the tenant's rows only, with the context set, and leaves no named statement on the connection", async () => {
    const [truth] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where tenant_id = ${acme}`;
    assert.equal(report.foreign, 0);
    assert.equal(report.total, truth!.n);
    assert.ok(report.contextSet, "the query ran with the context already set");
    assert.equal(report.namedStatements, 0);
  });

  it("the context is the first statement after BEGIN, and COMMIT the last, in every shape", () => {
    for (const [name, shape] of Object.entries(report.shapes)) {
      if (name === "unpipelined" || name.startsWith("agentSql")) continue;
      assert.deepEqual(shape.statements.slice(0, 2), ["begin", contextText], `${name}: ${show(shape)}`);
      assert.equal(shape.statements.at(-1), "commit", `${name}: ${show(shape)}`);
    }
    assert.deepEqual(report.shapes.oneQuery.statements, [
      "begin",
      contextText,
      "select count(*)::int as total from conversations",
      "commit",
    ]);
  });

  it("one query returned unawaited: BEGIN, context, query and COMMIT in one round trip", () => {
    assert.equal(report.shapes.oneQuery.roundTrips, 1, show(report.shapes.oneQuery));
    assert.equal(report.shapes.select.roundTrips, 1, `tx.select() returned unawaited: ${show(report.shapes.select)}`);
    // BEGIN and COMMIT are fixed text over the simple protocol (one Query message each); the context
    // and the query are parsed unnamed.
    assert.equal(report.shapes.oneQuery.messages.Q, 2, show(report.shapes.oneQuery));
    assert.equal(report.shapes.oneQuery.messages.P, 2, show(report.shapes.oneQuery));
  });

  it("one query awaited inside fn: two round trips (COMMIT waits for fn)", () => {
    assert.equal(report.shapes.awaited.roundTrips, 2, show(report.shapes.awaited));
  });

  it("two queries, the second after the first: three round trips", () => {
    assert.equal(report.shapes.twoQueries.roundTrips, 3, show(report.shapes.twoQueries));
  });

  it("together() of independent statements: both with BEGIN and the context in one round trip, then COMMIT", () => {
    assert.equal(report.shapes.together.roundTrips, 2, show(report.shapes.together));
    assert.equal(report.shapes.together.statements.length, 5, show(report.shapes.together));
  });

  it("lastly() of the transaction's last statements: BEGIN, context, both and COMMIT in one round trip", () => {
    assert.equal(report.shapes.lastly.roundTrips, 1, show(report.shapes.lastly));
    assert.equal(report.shapes.lastly.statements.length, 5, show(report.shapes.lastly));
    // Control: with a statement it cannot count (already started), COMMIT waits for fn.
    assert.equal(report.shapes.lastlyStarted.roundTrips, 2, show(report.shapes.lastlyStarted));
  });

  it("a repeated parameterised statement goes out without a Describe round trip (the postgres.js patch)", () => {
    const shape = report.shapes.parameterised;
    assert.equal(shape.roundTrips, 1, show(shape));
    // No Flush: no statement waited for a Describe before its Bind. Without patches/postgres+3.4.9.patch
    // the context and this statement each would (Parse+Describe+Flush, then Bind+Execute+Sync).
    assert.equal(shape.messages.H ?? 0, 0, show(shape));
    assert.equal(report.shapes.oneQuery.messages.H ?? 0, 0, show(report.shapes.oneQuery));
  });

  // The audit row's short write transactions set the context alone (agent_reader's statements get
  // their timeout in the read-only transaction).
  const bareContextText = "select set_config('app.tenant_ctx', $1, true)";
  const agentContext =
    "select set_config('app.tenant_ctx', $1, true), set_config($2, $3, true), set_config($4, $5, true), set_config($6, $7, true), set_config($8, $9, true)";
  const agentStatement = (s: string) => s.startsWith("with agent_sql_stream as materialized (");

  it("agent SQL: BEGIN READ ONLY, the context with timeout and search path, the bounded query, ROLLBACK; one round trip", () => {
    const shape = report.shapes.agentSql;
    assert.deepEqual(shape.statements.slice(0, 2), ["begin read only", agentContext], show(shape));
    assert.ok(agentStatement(shape.statements[2]!), show(shape));
    assert.match(shape.statements[2]!, /select id, status from conversations limit 5/);
    assert.equal(shape.statements[3], "rollback", show(shape));
    assert.equal(shape.statements.length, 4, show(shape));
    assert.equal(shape.roundTrips, 1, show(shape));
  });

  it("agent SQL with its audit row: the row's transaction and the statement's in one write, the outcome in a batch after", () => {
    const shape = report.shapes.agentSqlAudited;
    assert.deepEqual(
      shape.statements.slice(0, 6),
      [
        "begin read write",
        bareContextText,
        "select app.record_agent_sql_call($1, $2) as id",
        "commit",
        "begin read only",
        agentContext,
      ],
      show(shape),
    );
    assert.ok(agentStatement(shape.statements[6]!), show(shape));
    assert.deepEqual(
      shape.statements.slice(7),
      [
        "rollback",
        "begin read write",
        bareContextText,
        "select app.record_agent_sql_outcome(o.id, o.outcome) as done from jsonb_to_recordset($1::jsonb -> 'outcomes') as o(id bigint, outcome jsonb)",
        "commit",
      ],
      show(shape),
    );
    // One round trip for the answer (with the audit row committed before it), one for the outcome
    // (written at once here by agentSqlAuditsSettled; in the app, one for a batch of outcomes).
    assert.equal(shape.roundTrips, 2, show(shape));
  });

  it("control: a plain Drizzle transaction's shape (awaited BEGIN, awaited set_config, query, COMMIT) counts more", () => {
    // So the counts above do not come from a counter that always says 1.
    assert.ok(report.shapes.unpipelined.roundTrips >= 4, show(report.shapes.unpipelined));
  });
});
