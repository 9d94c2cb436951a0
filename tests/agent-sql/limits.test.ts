import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { agentSqlAuditsSettled, agentSqlTenantShare, runCheckedSql } from "@/db/agent-sql";
import { closePools } from "@/db/client";
import { TenantBusyError, TenantShare } from "@/db/tenant-share";
import { withTenant } from "@/db/tenant";
import type { CheckedSql } from "@/db";
import { runAgentSql } from "@/features/agent-sql/run";
import { createApiKey } from "@/features/api-keys/store";
import { mcpRequestCost } from "@/features/mcp/cost";
import { resolveApiKeyHash } from "@/db";
import { hashApiKey } from "@/lib/auth/api-key-format";
import { adminSql, ownerSql, tenantIdsBySlug } from "../support/db";

/** Agent SQL's limits beyond rows: bytes, the tenant's share of the pool, and the rate limit's cost. */
let acme = "";
let globex = "";

before(async () => {
  const ids = await tenantIdsBySlug();
  acme = ids["acme-health"]!;
  globex = Object.entries(ids).find(([slug]) => slug !== "acme-health")![1];
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

const checked = (sql: string) => sql as CheckedSql;

describe("answers are bounded in bytes, in PostgreSQL", () => {
  // format() width padding: a few rows, a megabyte each (the amplification the row cap does not bound).
  const amplified = "select format('%1000000s', id::text) as padded, id from conversations";

  it("the megabyte-a-row statement returns at most the byte budget, marked truncated", async () => {
    // PostgreSQL still computes (and measures) up to cap + 1 rows within the statement timeout; a small
    // cap keeps that quick here. The app receives nothing past the budget whatever the cap.
    const result = await runCheckedSql(checked(amplified), acme, { maxBytes: 1_000_000, rowCap: 3, timeoutMs: 20_000 });
    const bytes = Buffer.byteLength(JSON.stringify(result));
    assert.ok(bytes <= 1_000_000 + 1_000, `${bytes} bytes`);
    assert.equal(result.truncated, true);
    assert.equal(result.rowCount, 0, "the first row alone is over the budget");
    assert.deepEqual(
      result.columns.map((c) => c.name),
      ["padded", "id"],
      "the columns are the statement's, without the wrapper's",
    );
  });

  it("rows within the budget come back in the statement's order; the one past it does not", async () => {
    const sql = "select id, format('%100s', id::text) as padded from conversations order by id desc";
    const all = await runCheckedSql(checked(sql), acme, { maxBytes: 10_000_000, rowCap: 50 });
    const some = await runCheckedSql(checked(sql), acme, { maxBytes: 2_000, rowCap: 50 });
    assert.ok(some.rowCount > 0 && some.rowCount < all.rowCount, `${some.rowCount} of ${all.rowCount}`);
    assert.deepEqual(some.rows, all.rows.slice(0, some.rowCount));
    assert.equal(some.truncated, true);
    assert.ok(Buffer.byteLength(JSON.stringify(some.rows)) <= 2_000);
  });

  it("an answer under both limits is whole and not truncated; an empty answer is empty", async () => {
    const small = await runCheckedSql(checked("select 1 as one, 'two' as two"), acme);
    assert.deepEqual(small.rows, [[1, "two"]]);
    assert.equal(small.truncated, false);
    const none = await runCheckedSql(checked("select id from conversations where false"), acme);
    assert.deepEqual(none, { columns: [{ name: "id", type: "uuid" }], rows: [], rowCount: 0, truncated: false });
  });

  it("text cannot close the wrapper: a trailing line comment or semicolon is the statement's own", async () => {
    const commented = await runCheckedSql(checked("select 1 as x -- ) agent_sql_answer; drop table agents"), acme);
    assert.deepEqual(commented.rows, [[1]]);
    const outcome = await runAgentSql({
      tenantId: acme,
      actor: { kind: "api_key", keyId: "wrapper-test" },
      sql: "select 2 as y; -- trailing",
      via: "sql_endpoint",
    });
    assert.ok(outcome.ok && outcome.result.rows[0]![0] === 2, JSON.stringify(outcome));
  });
});

describe("fairness: one tenant's slow statements do not make another tenant wait", () => {
  const slow = checked("select count(*) from generate_series(1, 200000000)");
  const limits = { timeoutMs: 1500 };

  /** Starts n slow statements for acme, then globex's select 1: the order in which they finish. */
  async function finishingOrder(n: number): Promise<string[]> {
    const order: string[] = [];
    const slowOnes = Array.from({ length: n }, () =>
      runCheckedSql(slow, acme, limits).then(
        () => order.push("acme"),
        (e: unknown) => order.push(e instanceof TenantBusyError ? "acme busy" : "acme"),
      ),
    );
    await new Promise((resolve) => setTimeout(resolve, 200)); // the slow ones hold their connections
    const quick = runCheckedSql(checked("select 1"), globex, limits).then(() => order.push("globex"));
    await Promise.all([...slowOnes, quick]);
    return order;
  }

  it("with the share (2 of 5 connections per tenant), globex's select 1 finishes before any of acme's 6", async () => {
    const order = await finishingOrder(6);
    assert.equal(order[0], "globex", order.join(", "));
  });

  it("control: with a share as large as the pool, globex's select 1 waits behind acme's statements", async () => {
    const holder = globalThis as unknown as { __agentSqlTenantShare?: TenantShare };
    const fair = agentSqlTenantShare();
    holder.__agentSqlTenantShare = new TenantShare({ perTenant: 5, maxQueued: 100, maxWaitMs: 10_000 });
    try {
      const order = await finishingOrder(6);
      assert.notEqual(order[0], "globex", order.join(", "));
    } finally {
      holder.__agentSqlTenantShare = fair;
    }
  });

  it("past its share and its queue a tenant's call is refused as busy (429), and audited", async () => {
    const share = new TenantShare({ perTenant: 1, maxQueued: 1, maxWaitMs: 5_000 });
    const first = await share.acquire("t");
    const queued = share.acquire("t");
    await assert.rejects(share.acquire("t"), TenantBusyError);
    assert.deepEqual(share.load("t"), { running: 1, waiting: 1 });
    first();
    (await queued)();
    assert.deepEqual(share.load("t"), { running: 0, waiting: 0 });

    const { id: keyId } = await withTenant(acme, (tx) =>
      createApiKey(tx, { tenantId: acme, name: "busy", createdBy: null }),
    );
    const holder = globalThis as unknown as { __agentSqlTenantShare?: TenantShare };
    const fair = agentSqlTenantShare();
    const full = new TenantShare({ perTenant: 1, maxQueued: 0, maxWaitMs: 1_000 });
    holder.__agentSqlTenantShare = full;
    const release = await full.acquire(acme);
    try {
      const outcome = await runAgentSql({
        tenantId: acme,
        actor: { kind: "api_key", keyId },
        sql: "select 1",
        via: "mcp",
      });
      assert.equal(outcome.ok, false);
      if (!outcome.ok) {
        assert.equal(outcome.error.code, "busy");
        assert.equal(outcome.error.retryAfterSeconds, 1);
      }
    } finally {
      release();
      holder.__agentSqlTenantShare = fair;
    }
    await agentSqlAuditsSettled();
    const rows = await adminSql()<{ metadata: Record<string, unknown> }[]>`
      select metadata from audit_events where tenant_id = ${acme} and target = ${`api_key:${keyId}`} and action = 'agent_sql.run'`;
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.metadata.errorCode, "busy");
  });
});

describe("the rate limit counts tool calls, not HTTP requests", () => {
  const call = (id: number) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "run_sql" } });

  it("an MCP batch of 100 tool calls costs 100; a request without a tool call costs 1", () => {
    assert.equal(mcpRequestCost(Array.from({ length: 100 }, (_, i) => call(i))), 100);
    assert.equal(mcpRequestCost(call(1)), 1);
    assert.equal(mcpRequestCost({ jsonrpc: "2.0", id: 1, method: "tools/list" }), 1);
    assert.equal(mcpRequestCost([{ jsonrpc: "2.0", method: "notifications/initialized" }, call(2), call(3)]), 2);
  });

  it("a batch over the remaining budget is refused whole and spends nothing; a smaller one then passes", async () => {
    const key = await withTenant(acme, (tx) => createApiKey(tx, { tenantId: acme, name: "batch", createdBy: null }));
    const hash = hashApiKey(key.key);
    const spend = async (cost: number) => (await resolveApiKeyHash(hash, { perMinute: 120, cost }))!.rate;
    assert.equal((await spend(30)).remaining, 90);
    const refused = await spend(100);
    assert.equal(refused.allowed, false);
    assert.equal(refused.remaining, 90, "nothing spent by the refused batch");
    assert.ok(refused.retryAfterSeconds >= 5, `${refused.retryAfterSeconds} s for 10 more tokens at 2/s`);
    assert.equal((await spend(90)).allowed, true);
    assert.equal((await spend(1)).allowed, false);
  });
});
