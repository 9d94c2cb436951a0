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
const { closePools, rawPool } = await import("@/db/client");
const { apiRoute } = await import("@/lib/http/json");
const { tenantIdsBySlug } = await import("../support/db");

const acme = (await tenantIdsBySlug())["acme-health"]!;
after(() => closePools());

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

  it("control: an error that is the request's or the code's is not unavailability, and apiRoute lets it through", async () => {
    const error = await failure(withTenant(acme, (tx) => tx.execute(sql`select 1/0`)));
    assert.equal(isDatabaseUnavailable(error), false);
    const route = apiRoute(() => withTenant(acme, (tx) => tx.execute(sql`select 1/0`)).then(() => new Response()));
    assert.equal(isDatabaseUnavailable(await failure(route())), false);
  });
});
