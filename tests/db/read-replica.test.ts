import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { eq, sql } from "drizzle-orm";
import postgres from "postgres";
import { parseDbEnv, roleDatabaseUrl } from "@/db/env";
import { startStandby, type Standby } from "../support/standby";

/**
 * withTenant(…, { read: true }) against a real hot standby streaming from the test database: the
 * reads go to the standby, under the same policies and signed context (catalog and key replicate),
 * nothing leaks there, a write in a read transaction is refused, and the ingest API's read route is
 * served from the standby (shown by pausing its replay).
 */
const standby: Standby = await startStandby(process.env.DATABASE_URL!);
// Set before the first dbEnv() call, which caches the settings.
const appOnStandby = standby.on(roleDatabaseUrl("app_user", parseDbEnv(process.env)));
process.env.APP_READ_DATABASE_URL = appOnStandby;

const { withTenant } = await import("@/db");
const { closePools } = await import("@/db/client");
const { separateAppUserScope } = await import("@/db/tenant");
const { agents } = await import("@/db/schema");
const { loadCatalog } = await import("@/db/rls-lint/catalog");
const { rlsLintSettings } = await import("@/db/rls-lint/settings");
const { ownerSql, tenantIdsBySlug, token, rejectsWith } = await import("../support/db");
const { createApiKey } = await import("@/features/api-keys/store");
const { GET } = await import("@/app/api/v1/conversations/[id]/route");
const { createConversation } = await import("@/features/ingest/conversations");
const catalog = await loadCatalog(ownerSql(), rlsLintSettings.roles);

const ids = await tenantIdsBySlug();
const acme = ids["acme-health"]!;
const globex = ids["globex-realty"]!;

after(async () => {
  await closePools();
  await ownerSql().end({ timeout: 2 });
  await standby.stop();
});

const inRecovery = sql<boolean>`select pg_is_in_recovery() as standby`;

describe("withTenant on a hot standby (APP_READ_DATABASE_URL)", () => {
  it("{ read: true } runs on the standby; without it, on the primary", async () => {
    const [onStandby] = await withTenant(acme, (tx) => tx.execute<{ standby: boolean }>(inRecovery), { read: true });
    const [onPrimary] = await withTenant(acme, (tx) => tx.execute<{ standby: boolean }>(inRecovery));
    assert.equal(onStandby!.standby, true);
    assert.equal(onPrimary!.standby, false);
  });

  it("the signed context works on the standby: the tenant's own rows, and only those", async () => {
    await standby.caughtUp();
    const read = (tenant: string, options?: { read: true }) =>
      withTenant(
        tenant,
        (tx) =>
          tx.execute<{ own: number; all: number }>(sql`
          select count(*) filter (where tenant_id = ${tenant})::int as own, count(*)::int as "all" from conversations`),
        options,
      );
    const [[standbyRows], [primaryRows]] = await Promise.all([read(acme, { read: true }), read(acme)]);
    assert.ok(standbyRows!.own > 0);
    assert.equal(standbyRows!.all, standbyRows!.own, "no other tenant's row on the standby");
    assert.deepEqual(standbyRows, primaryRows);
  });

  it("a read transaction refuses writes, on the standby and on the primary when there is no standby", async () => {
    const rename = (tx: Parameters<Parameters<typeof withTenant>[1]>[0]) =>
      tx
        .update(agents)
        .set({ name: sql`${agents.name}` })
        .where(eq(agents.tenantId, acme));
    await rejectsWith(withTenant(acme, rename, { read: true }), /read-only transaction/);
    const noStandby = separateAppUserScope("rls-starter:test:no-standby");
    try {
      await rejectsWith(noStandby.withTenant(acme, rename, { read: true }), /read-only transaction/);
    } finally {
      await noStandby.end();
    }
  });
});

describe("leak probe on the standby, every tenant table from the catalog", () => {
  const tables = catalog.tenantTables.filter((t) => t.tenantColumn);
  // Straight to the standby as app_user (no withTenant), and as its superuser (bypasses RLS: the control).
  const app = postgres(appOnStandby, { max: 1, onnotice: () => undefined });
  const superuser = postgres(standby.on(process.env.DATABASE_URL!), { max: 1, onnotice: () => undefined });
  after(async () => {
    await app.end({ timeout: 2 });
    await superuser.end({ timeout: 2 });
  });

  /** acme's rows in `table` as app_user on the standby with context `ctx`; "refused" for a permission error. */
  async function acmeRows(table: (typeof tables)[number], ctx: string | null): Promise<number | "refused"> {
    try {
      const rows = await app.begin("read only", async (tx) => {
        if (ctx !== null) await tx`select set_config('app.tenant_ctx', ${ctx}, true)`;
        return tx<{ n: number }[]>`
          select count(*)::int as n from ${tx(table.schema)}.${tx(table.name)}
          where ${tx(table.tenantColumn!.name)} = ${acme}`;
      });
      return rows[0]!.n;
    } catch (error) {
      if ((error as { code?: string }).code === "42501" && !/tenant context/.test((error as Error).message)) {
        return "refused";
      }
      throw error;
    }
  }

  before(() => standby.caughtUp());

  it("control: as a superuser on the standby, acme's rows are there (the same count as on the primary)", async () => {
    let total = 0;
    for (const table of tables) {
      const count = (s: postgres.Sql) =>
        s<{ n: number }[]>`select count(*)::int as n from ${s(table.schema)}.${s(table.name)}
                           where ${s(table.tenantColumn!.name)} = ${acme}`;
      const [[onStandby], [onPrimary]] = await Promise.all([count(superuser), count(ownerSql())]);
      assert.equal(onStandby!.n, onPrimary!.n, table.qualified);
      total += onStandby!.n;
    }
    assert.ok(total > 0, "acme has rows to leak");
    assert.ok(tables.length >= 5, `tenant tables found: ${tables.length}`);
  });

  it("as app_user on the standby: no context, another tenant's context and a forged token see none of them", async () => {
    const forged = token({ tenantId: acme }, { secret: "a-key-that-is-not-the-server-secret-0123456789" });
    for (const table of tables) {
      for (const [name, ctx] of [
        ["no context", null],
        ["globex's context", token({ tenantId: globex })],
      ] as const) {
        const seen = await acmeRows(table, ctx);
        assert.ok(seen === 0 || seen === "refused", `${table.qualified}, ${name}: ${seen} of acme's rows`);
      }
      await rejectsWith(acmeRows(table, forged), /invalid tenant context: bad signature|permission denied/);
    }
  });

  it("as app_user on the standby with acme's own context: acme's rows, where app_user may read the table", async () => {
    let seen = 0;
    for (const table of tables) {
      const n = await acmeRows(table, token({ tenantId: acme }));
      if (n !== "refused") seen += n;
    }
    assert.ok(seen > 0);
  });
});

describe("the ingest API's read route, served from the standby", () => {
  it("a conversation written while the standby's replay is paused: 404 from the route, found once replay resumes", async () => {
    const { key, id: keyId } = await withTenant(acme, (tx) =>
      createApiKey(tx, { tenantId: acme, name: "standby read test", createdBy: null }),
    );
    const [agent] = await withTenant(acme, (tx) =>
      tx.select({ id: agents.id }).from(agents).where(eq(agents.tenantId, acme)).limit(1),
    );
    await standby.caughtUp();
    await standby.pauseReplay();
    let id = "";
    try {
      ({ id } = await withTenant(acme, (tx) =>
        createConversation(tx, acme, {
          agent: agent!.id,
          channel: "chat",
          caller: "standby probe",
          status: "completed",
          started_at: new Date().toISOString(),
          duration_seconds: 1,
          summary: "written on the primary while the standby's replay is paused",
          turns: [],
        }),
      ));
      const get = () =>
        GET(
          new Request(`http://localhost/api/v1/conversations/${id}`, { headers: { Authorization: `Bearer ${key}` } }),
          {
            params: Promise.resolve({ id }),
          },
        );
      assert.equal((await get()).status, 404, "the standby has not replayed the insert");
      await standby.resumeReplay();
      await standby.caughtUp();
      const found = await get();
      assert.equal(found.status, 200);
      assert.equal(((await found.json()) as { id: string }).id, id);
    } finally {
      await standby.resumeReplay();
      // The shared database goes back to the seed: the other suites count its rows.
      const owner = ownerSql();
      await owner`delete from conversations where tenant_id = ${acme} and id = ${id || acme}`;
      await owner`delete from audit_events where tenant_id = ${acme} and target = ${`api_key:${keyId}`}`;
      await owner`delete from api_keys where tenant_id = ${acme} and id = ${keyId}`;
    }
  });
});
