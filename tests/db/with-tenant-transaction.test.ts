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
import { ConnectionLostError, pipelinedDrizzle } from "@/db/pipelined-transaction";
import { conversations } from "@/db/schema";
import { withTenant } from "@/db/tenant";
import { together } from "@/db/together";
import { adminSql, ownerSql, rejectsWith, tenantIdsBySlug } from "../support/db";

/**
 * withTenant sends BEGIN, the context and fn's first query in one round trip and COMMIT in a second,
 * or everything in one when fn returns its only query unawaited (db/pipelined-transaction.ts). These tests hold it to what the first slice guaranteed with
 * separate, awaited statements: context first, errors not lost, savepoints, and no named statements.
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
    let leaked: Parameters<Parameters<typeof withTenant>[1]>[0] | undefined;
    await withTenant(acme, (tx) => {
      leaked = tx;
      return tx.execute(sql`select 1`);
    });
    await rejectsWith(leaked!.execute(sql`select count(*) from conversations`), /after the transaction's COMMIT/);
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
  withTenant: { roundTrips: number; messages: Record<string, number> };
  awaited: { roundTrips: number; messages: Record<string, number> };
  select: { roundTrips: number; messages: Record<string, number> };
  firstSlice: { roundTrips: number; messages: Record<string, number> };
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

describe("withTenant on the wire (through a proxy that counts protocol messages)", () => {
  it("a query fn returns unawaited: BEGIN, the context, the query and COMMIT in one round trip, unnamed statements only", async () => {
    const report = await onTheWire(acme);
    const [truth] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where tenant_id = ${acme}`;
    assert.equal(report.foreign, 0);
    assert.equal(report.total, truth!.n);
    assert.ok(report.contextSet, "the query ran with the context already set");
    assert.equal(report.withTenant.roundTrips, 1, JSON.stringify(report.withTenant));
    assert.equal(report.select.roundTrips, 1, `tx.select() returned unawaited: ${JSON.stringify(report.select)}`);
    // Awaited inside fn, the query may not be the last: COMMIT waits for fn, in a second round trip.
    assert.equal(report.awaited.roundTrips, 2, JSON.stringify(report.awaited));
    // No Flush: no statement waited for a Describe before its Bind (patches/postgres+3.4.9.patch).
    assert.equal(report.withTenant.messages.H ?? 0, 0, JSON.stringify(report.withTenant.messages));
    // The context and the query are parsed unnamed, so nothing lives on the connection for other SQL
    // to replace; BEGIN and COMMIT are fixed text over the simple protocol (one Query message each).
    assert.equal(report.withTenant.messages.P, 2, JSON.stringify(report.withTenant.messages));
    assert.equal(report.withTenant.messages.Q, 2, JSON.stringify(report.withTenant.messages));
    assert.equal(report.namedStatements, 0);
    // Control: the first slice's shape (awaited BEGIN, awaited set_config, query, COMMIT) on the same
    // counter takes more round trips, so the count above is not a counter that always says 2.
    assert.ok(report.firstSlice.roundTrips >= 4, `first slice: ${report.firstSlice.roundTrips} round trips`);
  });
});
