import { randomBytes } from "node:crypto";
import { connect, createServer, type AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { freePort } from "../support/servers";

/**
 * What the app does when the database cannot serve it: a full pool is a bounded wait, a slow statement
 * is cancelled by the statement timeout, a refused connection is recognised, and each of them is one
 * DatabaseUnavailableError that route handlers answer with 503 + Retry-After (lib/http/json.ts apiRoute).
 * PostgreSQL and PgBouncer restarted under load: e2e/faults.spec.ts.
 */
// Set before the first dbEnv() call, which caches the settings.
process.env.DB_POOL_MAX = "1";
process.env.DB_POOL_TIMEOUT_MS = "500";
process.env.DB_STATEMENT_TIMEOUT_MS = "1000";

const { withTenant, isDatabaseUnavailable, DatabaseUnavailableError, resolveApiKeyHash } = await import("@/db");
const { boundedQuery, closePools, PoolTimeoutError, rawPool } = await import("@/db/client");
const { apiRoute } = await import("@/lib/http/json");
const { ownerSql, tenantIdsBySlug } = await import("../support/db");
const { dbEnv } = await import("@/db/env");

const ids = await tenantIdsBySlug();
const acme = ids["acme-health"]!;
const globex = ids["globex-realty"]!;
after(async () => {
  await closePools();
  await ownerSql().end({ timeout: 2 });
});

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure, but it succeeded");
}

const causes = (error: unknown) => {
  const names: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) names.push(e.name);
  return names;
};

/** A pool of its own with one connection to the app's database, ended after `fn`. */
async function onOneConnection(fn: (pool: postgres.Sql) => Promise<void>): Promise<void> {
  const pool = postgres(dbEnv().DATABASE_URL!, { max: 1, onnotice: () => undefined });
  try {
    await fn(pool);
  } finally {
    await pool.end({ timeout: 1 });
  }
}

describe("database faults", () => {
  it("the pool's one connection held: the next transaction gives up after DB_POOL_TIMEOUT_MS, before it frees", async () => {
    let holderDone = false;
    const holder = withTenant(acme, (tx) => tx.execute(sql`select pg_sleep(0.9)`)).then(() => (holderDone = true));
    const error = await failure(withTenant(acme, (tx) => tx.execute(sql`select 1`)));
    assert.equal(holderDone, false, "it gave up while the connection was still held");
    assert.ok(error instanceof DatabaseUnavailableError, String(error));
    assert.deepEqual(causes(error), ["DatabaseUnavailableError", "PoolTimeoutError"]);
    await holder;
    // The connection that came free after the wait gave up went back to the pool: it serves again.
    const [row] = await withTenant(acme, (tx) => tx.execute<{ one: number }>(sql`select 1 as one`));
    assert.equal(row!.one, 1);
  });

  it("an API-key lookup (before any transaction) behind the held pool gives up after the same wait", async () => {
    const unknownKey = "0".repeat(64);
    let holderDone = false;
    const holder = withTenant(acme, (tx) => tx.execute(sql`select pg_sleep(0.9)`)).then(() => (holderDone = true));
    const error = await failure(resolveApiKeyHash(unknownKey, { perMinute: 60, cost: 1 }));
    assert.equal(holderDone, false);
    assert.equal(isDatabaseUnavailable(error), true, String(error));
    await holder;
    assert.equal(
      await resolveApiKeyHash(unknownKey, { perMinute: 60, cost: 1 }),
      null,
      "the pool serves the lookup again",
    );
  });

  it("the statement timeout is set with the context, for the transaction only", async () => {
    const [inside] = await withTenant(acme, (tx) =>
      tx.execute<{ timeout: string }>(sql`select current_setting('statement_timeout') as timeout`),
    );
    assert.equal(inside!.timeout, "1s");
    const [outside] = await rawPool("app_user")<
      { timeout: string }[]
    >`select current_setting('statement_timeout') as timeout`;
    assert.notEqual(outside!.timeout, "1s");
  });

  it("a statement past DB_STATEMENT_TIMEOUT_MS: cancelled, and a route answers 503 with Retry-After", async () => {
    const error = await failure(withTenant(acme, (tx) => tx.execute(sql`select pg_sleep(5)`)));
    assert.ok(error instanceof DatabaseUnavailableError);
    const route = apiRoute(async () => {
      await withTenant(acme, (tx) => tx.execute(sql`select pg_sleep(5)`));
      return new Response("unreachable");
    });
    const answer = await route();
    assert.equal(answer.status, 503);
    assert.equal(answer.headers.get("Retry-After"), "2");
    const body = (await answer.json()) as { error: { code: string; message: string } };
    assert.equal(body.error.code, "database_unavailable");
    assert.doesNotMatch(body.error.message, /pg_sleep|select/i, "no SQL in the answer");
  });

  it("a refused connection is recognised as unavailable", async () => {
    const nobody = postgres(`postgres://app_user:x@127.0.0.1:${await freePort()}/app`, {
      max: 1,
      connect_timeout: 2,
      onnotice: () => undefined,
    });
    try {
      assert.equal(isDatabaseUnavailable(await failure(nobody`select 1`)), true);
    } finally {
      await nobody.end({ timeout: 1 });
    }
  });

  it("connections refused by the server at startup: once it accepts again, the pool serves (none stranded)", async () => {
    // A role of its own with connection limit 0: every connection attempt ends in FATAL 53300 at
    // startup, as during crash recovery (57P03) or behind PgBouncer's server_login_retry.
    const owner = ownerSql();
    const role = `pool_probe_${randomBytes(4).toString("hex")}`;
    const password = randomBytes(12).toString("hex");
    await owner.begin(async (tx) => {
      await tx`select set_config('probe.role', ${role}, true), set_config('probe.password', ${password}, true)`;
      await tx`do $$ begin execute format('create role %I login password %L connection limit 0',
                 current_setting('probe.role'), current_setting('probe.password')); end $$`;
      await tx`grant connect on database ${owner(new URL(dbEnv().DATABASE_URL!).pathname.slice(1))} to ${owner(role)}`;
    });
    const url = new URL(dbEnv().DATABASE_URL!);
    url.username = role;
    url.password = password;
    const pool = postgres(url.href, { max: 2, connect_timeout: 2, onnotice: () => undefined });
    try {
      for (let i = 0; i < 3; i++) {
        const refused = await failure(pool.reserve());
        assert.equal((refused as { code?: string }).code, "53300", String(refused));
      }
      await owner`alter role ${owner(role)} connection limit -1`;
      const served = await Promise.race([
        Promise.all([pool.reserve(), pool.reserve()]),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no connection within 10 s")), 10_000)),
      ]);
      for (const connection of served) connection.release();
      const [row] = await pool<{ one: number }[]>`select 1 as one`;
      assert.equal(row!.one, 1);
    } finally {
      await pool.end({ timeout: 1 });
      await owner.begin((tx) => [tx`drop owned by ${owner(role)}`, tx`drop role ${owner(role)}`]);
    }
  });

  it("a query cancelled while its connection is still being opened: the connection serves the next one", async () => {
    // A proxy that holds each new connection back for 300 ms, so the query is still waiting for it
    // when the bounded wait (db/client.ts boundedQuery) cancels it.
    const target = new URL(dbEnv().DATABASE_URL!);
    const proxy = createServer((client) => {
      const upstream = connect(Number(target.port), target.hostname);
      client.pause();
      setTimeout(() => (client.pipe(upstream), upstream.pipe(client), client.resume()), 300);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", r));
    const url = new URL(target.href);
    url.port = String((proxy.address() as AddressInfo).port);
    const pool = postgres(url.href, { max: 1, onnotice: () => undefined });
    try {
      const cancelled = pool`select 1`;
      cancelled.catch(() => undefined);
      void cancelled.execute();
      void cancelled.cancel();
      assert.equal(((await failure(cancelled)) as { code?: string }).code, "57014");
      const served = await Promise.race([
        pool<{ one: number }[]>`select 1 as one`,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("no answer within 5 s")), 5_000)),
      ]);
      assert.equal(served[0]!.one, 1);
    } finally {
      await pool.end({ timeout: 1 });
      proxy.close();
    }
  });

  it("a pipelined query cancelled before its turn: it settles, and every query on the connection gets its own answer", async () => {
    // postgres.js writes a query behind a busy connection's running one (pipelining). One cancelled while
    // it waits its turn has been written, and its answer still comes: it was skipped as the current
    // query, so that answer went to the query behind it, every later answer on the connection slipped by
    // one statement, and the cancelled query never settled.
    await onOneConnection(async (pool) => {
      await pool`select 1`; // the connection is open, so the next three are pipelined on it
      const running = pool<{ answer: string }[]>`select 'running' as answer from pg_sleep(0.3)`;
      const cancelled = pool<{ answer: string }[]>`select 'cancelled' as answer`;
      const behind = pool<{ answer: string }[]>`select 'behind' as answer`;
      for (const query of [running, cancelled, behind]) void query.execute(); // in this order (then() starts one)
      await new Promise((resolve) => setTimeout(resolve, 100));
      // Typed void, it returns the cancel request: settled once the server has it.
      const cancelling = cancelled.cancel() as unknown as Promise<void>;
      assert.equal((await behind)[0]!.answer, "behind");
      const settled = await Promise.race([
        cancelled.then(
          ([row]) => row!.answer,
          (error: { code?: string }) => error.code,
        ),
        new Promise<string>((resolve) => setTimeout(() => resolve("not settled within 5 s"), 5_000)),
      ]);
      assert.ok(settled === "cancelled" || settled === "57014", settled);
      assert.equal((await running)[0]!.answer, "running");
      await cancelling;
      // The server delivers a cancel to its backend by a signal, which may still land on the next
      // statement even after the cancel request has been answered: that one may fail with 57014 (a cancel
      // names a backend, not a statement). What must never happen is an answer that is not its own.
      const after = await pool<{ answer: string }[]>`select 'after' as answer`.then(
        ([row]) => row!.answer,
        (error: { code?: string }) => error.code,
      );
      assert.ok(after === "after" || after === "57014", after);
      const [last] = await pool<{ answer: string }[]>`select 'last' as answer`;
      assert.equal(last!.answer, "last");
    });
  });

  it("a bounded query given up after it was written is not cancelled: the cancel would hit the next statement", async () => {
    // A cancel request names a backend, not a statement. The bounded wait gives up on a query pipelined
    // behind a slow one; by the time that query's turn comes it has already run, and another client's
    // statement runs on the backend: a cancel sent then cancelled that statement instead.
    await onOneConnection(async (pool) => {
      await pool`select 1`;
      // Started in this order on the one connection (then() starts a query, so execute() comes first).
      const slow = pool`select pg_sleep(0.8)`.execute();
      const given = boundedQuery(pool`select 1`.execute());
      const other = pool<{ answer: string }[]>`select 'other' as answer from pg_sleep(0.3)`.execute();
      assert.ok((await failure(given)) instanceof PoolTimeoutError);
      assert.equal((await other)[0]!.answer, "other");
      await slow;
    });
  });

  it("a reserved connection that dies between statements: its next query fails, never runs in the next client's session", async () => {
    await onOneConnection(async (pool) => {
      const first = await pool.reserve();
      const [{ pid }] = (await first`select pg_backend_pid() as pid`) as unknown as [{ pid: number }];
      const next = pool.reserve(); // waits: the pool's one connection is reserved
      await ownerSql()`select pg_terminate_backend(${pid})`;
      // The pool reconnects the closed connection for the waiting client, which opens a transaction.
      const second = await next;
      await second`begin`;
      await second`select set_config('probe.owner', 'second', true)`;
      const late = await failure(first`select current_setting('probe.owner', true) as owner`);
      assert.equal((late as { code?: string }).code, "CONNECTION_CLOSED", String(late));
      // The first client's release leaves the second client's connection alone.
      first.release();
      let otherServed = false;
      const other = pool`select 1`.then(() => (otherServed = true));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(otherServed, false, "the connection is still the second client's");
      const [{ owner }] = (await second`select current_setting('probe.owner', true) as owner`) as unknown as [
        { owner: string },
      ];
      assert.equal(owner, "second", "its transaction is intact");
      await second`commit`;
      second.release();
      await other;
    });
  });

  it("tenant A's transaction whose connection dies mid-way fails; its next statement never runs in tenant B's transaction", async () => {
    // The pool has one connection (DB_POOL_MAX=1): when A's backend is terminated, the pool reconnects
    // it for B, which waits for it. Without the driver patch A's next statement ran in B's transaction,
    // under B's context, and read B's conversations.
    let bIsIn!: () => void;
    const bOnConnection = new Promise<void>((r) => (bIsIn = r));
    let aIsDone!: () => void;
    const aDone = new Promise<void>((r) => (aIsDone = r));
    let b: Promise<unknown> | undefined;
    const a = withTenant(acme, async (tx) => {
      const [row] = await tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`);
      b = withTenant(globex, async (txB) => {
        await txB.execute(sql`select 1`);
        bIsIn();
        await aDone;
        return txB.execute<{ n: number }>(sql`select count(*)::int as n from conversations`);
      });
      await ownerSql()`select pg_terminate_backend(${row!.pid})`;
      await bOnConnection;
      return tx.execute<{ tenant_id: string }>(sql`select distinct tenant_id from conversations`);
    });
    const outcome = await a.then(
      (rows) => ({ rows }),
      (error: unknown) => ({ error }),
    );
    aIsDone();
    if ("rows" in outcome) {
      const read = outcome.rows.map((r) => (r.tenant_id === globex ? "globex (B)" : r.tenant_id));
      assert.fail(`A's statement ran in B's transaction and read the conversations of ${read.join(", ")}`);
    }
    assert.equal(isDatabaseUnavailable(outcome.error), true, String(outcome.error));
    const [counted] = (await b) as { n: number }[];
    assert.ok(counted!.n > 0, "B's transaction is intact and reads its own rows");
  });

  it("control: an error that is the request's or the code's is not unavailability, and apiRoute lets it through", async () => {
    const error = await failure(withTenant(acme, (tx) => tx.execute(sql`select 1/0`)));
    assert.equal(isDatabaseUnavailable(error), false);
    const route = apiRoute(() => withTenant(acme, (tx) => tx.execute(sql`select 1/0`)).then(() => new Response()));
    assert.equal(isDatabaseUnavailable(await failure(route())), false);
  });
});
