import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { sql } from "drizzle-orm";
import { dbEnv } from "@/db/env";
import { closePools } from "@/db/client";
import { withTenant, InvalidTenantIdError } from "@/db/tenant";
import {
  adminSql,
  appSql,
  asAppUserWithContext,
  ownerSql,
  rejectsWith,
  tenantIdsBySlug,
  tenantTables,
  token,
} from "../support/db";

let tables: string[] = [];
let ids: Record<string, string> = {};
let acme = "";
let globex = "";

before(async () => {
  tables = await tenantTables();
  ids = await tenantIdsBySlug();
  acme = ids["acme-health"]!;
  globex = ids["globex-realty"]!;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

async function countPerTenant(table: string): Promise<Map<string, number>> {
  const rows = await adminSql()<
    { tenant_id: string; n: number }[]
  >`select tenant_id, count(*)::int as n from ${adminSql()(table)} group by 1`;
  return new Map(rows.map((r) => [r.tenant_id, r.n]));
}

describe("every tenant table, as app_user", () => {
  it("finds the tenant tables in the catalog", () => {
    assert.deepEqual(tables, [
      "agents",
      "api_keys",
      "audit_events",
      "conversation_turns",
      "conversations",
      "ingest_idempotency_keys",
      "invitations",
      "memberships",
    ]);
  });

  it("each tenant sees exactly its own rows; the BYPASSRLS control sees the others", async () => {
    for (const table of tables) {
      const truth = await countPerTenant(table);
      for (const [slug, tenantId] of Object.entries(ids)) {
        const seen = await withTenant(tenantId, (tx) =>
          tx.execute<{ total: number; foreign: number }>(
            sql`select count(*)::int as total, count(*) filter (where tenant_id <> ${tenantId})::int as foreign from ${sql.identifier(table)}`,
          ),
        );
        assert.equal(seen[0]!.foreign, 0, `${slug} sees other tenants' rows in ${table}`);
        assert.equal(
          seen[0]!.total,
          truth.get(tenantId) ?? 0,
          `${slug} sees the wrong number of its own rows in ${table}`,
        );
      }
      const others = [...truth.entries()].filter(([t]) => t !== acme).reduce((n, [, c]) => n + c, 0);
      // The seed writes no audit events, API keys or idempotency keys; tests/api-keys/ and tests/ingest/
      // have their own controls for those.
      if (!["audit_events", "api_keys", "ingest_idempotency_keys"].includes(table))
        assert.ok(others > 0, `control: the admin role sees other tenants' rows in ${table}`);
    }
  });

  it("no context: zero rows in every tenant table, while the control sees rows", async () => {
    for (const table of tables) {
      const [seen] = await asAppUserWithContext(
        null,
        (tx) => tx<{ n: number }[]>`select count(*)::int as n from ${tx(table)}`,
      );
      assert.equal(seen!.n, 0, `${table} leaks without context`);
    }
    const [control] = await adminSql()<{ n: number }[]>`select count(*)::int as n from conversations`;
    assert.ok(control!.n > 0);
  });
});

describe("writes that name another tenant", () => {
  it("an insert with another tenant's id is refused by WITH CHECK", async () => {
    const [agent] = await adminSql()<{ id: string }[]>`select id from agents where tenant_id = ${globex} limit 1`;
    await rejectsWith(
      withTenant(acme, (tx) =>
        tx.execute(sql`insert into conversations (tenant_id, agent_id, channel, caller, status, started_at, duration_seconds, summary)
                       values (${globex}, ${agent!.id}, 'voice', 'x', 'completed', now(), 1, 'planted')`),
      ),
      /row-level security/,
    );
    const [planted] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from conversations where summary = 'planted'`;
    assert.equal(planted!.n, 0);
  });

  it("an update cannot move a row into another tenant, nor touch another tenant's rows", async () => {
    await rejectsWith(
      withTenant(acme, (tx) => tx.execute(sql`update agents set tenant_id = ${globex} where tenant_id = ${acme}`)),
      /row-level security/,
    );
    const touched = await withTenant(acme, (tx) =>
      tx.execute(sql`update agents set name = name || ' (hijacked)' where tenant_id = ${globex} returning id`),
    );
    assert.equal(touched.length, 0);
    const [control] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from agents where tenant_id = ${globex}`;
    assert.ok(control!.n > 0, "control: globex has agents that the update would have hit");
    const deleted = await withTenant(acme, (tx) =>
      tx.execute(sql`delete from conversation_turns where tenant_id = ${globex} returning position`),
    );
    assert.equal(deleted.length, 0);
  });
});

describe("the signed context", () => {
  const countConversations = (ctx: string) =>
    asAppUserWithContext(
      ctx,
      (tx) =>
        tx<
          { n: number; foreign: number }[]
        >`select count(*)::int as n, count(*) filter (where tenant_id <> ${acme})::int as foreign from conversations`,
    );

  it("a valid token sees its tenant", async () => {
    const [row] = await countConversations(token({ tenantId: acme }));
    assert.ok(row!.n > 0);
    assert.equal(row!.foreign, 0);
  });

  it("a token signed with another key (forged) is refused", async () => {
    await assert.rejects(
      countConversations(token({ tenantId: globex }, { secret: "not-the-secret-".repeat(4) })),
      /bad signature/,
    );
  });

  it("an edited token (tenant swapped, signature kept) is refused", async () => {
    const valid = token({ tenantId: acme });
    await assert.rejects(countConversations(valid.replace(acme, globex)), /bad signature/);
  });

  it("an expired token is refused", async () => {
    await assert.rejects(
      countConversations(token({ tenantId: acme }, { ttlSeconds: 30, nowMs: Date.now() - 60_000 })),
      /expired/,
    );
  });

  it("a malformed value is refused", async () => {
    for (const bad of [acme, "v1.x", "v1....", `v1.${acme}..9999999999.zz`]) {
      await assert.rejects(countConversations(bad), /invalid tenant context/);
    }
  });

  it("globex's token, captured in globex's session and replayed in acme's after its window, is refused", async () => {
    const ttl = dbEnv().TENANT_CONTEXT_TTL_SECONDS;
    assert.ok(ttl <= 5, "the test process runs with a short TENANT_CONTEXT_TTL_SECONDS");
    const seen = await withTenant(globex, (tx) =>
      tx.execute<{ ctx: string }>(sql`select current_setting('app.tenant_ctx') as ctx`),
    );
    const globexToken = seen[0]!.ctx;
    // Control, and the residual channel: inside its window the token is a bearer credential. SQL that
    // obtained it could use it; the token never appears in query text (bind parameter) or logs.
    const [fresh] = await countConversations(globexToken);
    assert.ok(fresh!.foreign > 0, "control: the captured token reads globex's rows while valid");
    await new Promise((r) => setTimeout(r, (ttl + 1.2) * 1000));
    await rejectsWith(
      withTenant(acme, async (tx) => {
        await tx.execute(sql`select set_config('app.tenant_ctx', ${globexToken}, true)`);
        return tx.execute(sql`select count(*) from conversations`);
      }),
      /expired/,
    );
  });
});

describe("withTenant", () => {
  it("rejects a tenant id that is not a UUID before any query", async () => {
    let called = false;
    await assert.rejects(
      withTenant("acme-health' or 1=1 --", async () => {
        called = true;
      }),
      InvalidTenantIdError,
    );
    assert.equal(called, false);
  });

  it("returns fn's result", async () => {
    assert.equal(await withTenant(acme, async () => 42), 42);
  });

  it("leaves no context on the pooled connection after commit or rollback", async () => {
    // The test process runs with DB_POOL_MAX=1: every query below shares one connection.
    const inside = await withTenant(acme, (tx) => tx.execute<{ pid: number }>(sql`select pg_backend_pid() as pid`));
    const afterCommit = await appSql()<{ pid: number; ctx: string | null; tenant: string | null; n: number }[]>`
      select pg_backend_pid() as pid, current_setting('app.tenant_ctx', true) as ctx, app.current_tenant_id() as tenant,
             (select count(*)::int from conversations) as n`;
    assert.equal(afterCommit[0]!.pid, inside[0]!.pid, "same pooled connection");
    assert.equal(afterCommit[0]!.ctx, "");
    assert.equal(afterCommit[0]!.tenant, null);
    assert.equal(afterCommit[0]!.n, 0);

    await assert.rejects(
      withTenant(acme, async (tx) => {
        await tx.execute(sql`select 1`);
        throw new Error("boom");
      }),
      /boom/,
    );
    const afterRollback = await appSql()<{ pid: number; ctx: string | null; n: number }[]>`
      select pg_backend_pid() as pid, current_setting('app.tenant_ctx', true) as ctx, (select count(*)::int from conversations) as n`;
    assert.equal(afterRollback[0]!.pid, inside[0]!.pid, "same pooled connection");
    assert.equal(afterRollback[0]!.ctx, "");
    assert.equal(afterRollback[0]!.n, 0);
  });
});
