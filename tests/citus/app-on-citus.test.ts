import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { closePools } from "@/db/client";
import { signInWithPassword } from "@/db/auth";
import { demoPassword, demoUsers } from "@/db/seed/demo-accounts";
import { withTenant } from "@/db/tenant";
import { getConversation, listConversations } from "@/features/conversations/queries";
import { highlightStart } from "@/lib/highlight";
import { createConversation } from "@/features/ingest/conversations";
import { overview } from "@/features/overview/figures";
import { runAgentSql } from "@/features/agent-sql/run";
import { agentSqlAuditsSettled } from "@/db/agent-sql";
import { listAuditEvents } from "@/features/audit-log/list";
import { listMembers } from "@/features/members/members";
import { tenantOverview } from "@/db/platform-admin";
import { ownerSql, tenantIdsBySlug } from "../support/db";

/**
 * The app's own code paths against the Citus coordinator (DB_CITUS=true), as the pages and the API call
 * them: sign-in, the conversations list, search, detail, ingest, the overview and agent SQL.
 */
const owner = ownerSql();
const ids = await tenantIdsBySlug();
const acme = ids["acme-health"]!;
const globex = ids["globex-realty"]!;
const written: string[] = [];

after(async () => {
  if (written.length > 0) await owner`delete from conversations where tenant_id = ${acme} and id = any(${written})`;
  await closePools();
  await owner.end();
});

describe("the app on a Citus coordinator", () => {
  it("sign-in (app.sign_in, on the coordinator's users table)", async () => {
    const result = await signInWithPassword(demoUsers[0]!.email, demoPassword, "127.0.0.1");
    assert.ok(result && "userId" in result, JSON.stringify(result));
    assert.equal(await signInWithPassword(demoUsers[0]!.email, "not-the-password", "127.0.0.1"), null);
  });

  it("the conversations list: the tenant's newest page, in order", async () => {
    const page = await withTenant(acme, (tx) => listConversations(tx, acme, {}, null));
    const truth = await owner<{ id: string }[]>`
      select id from conversations where tenant_id = ${acme} order by started_at desc, id desc limit 50`;
    assert.deepEqual(
      page.rows.map((r) => r.id),
      truth.map((r) => r.id),
    );
    assert.ok(page.next, "a next page");
    const second = await withTenant(acme, (tx) =>
      listConversations(tx, acme, {}, { startedAt: page.rows.at(-1)!.startedAt, id: page.rows.at(-1)!.id }),
    );
    assert.equal(second.rows.length, 50);
  });

  it("detail: the tenant's conversation with its turns; another tenant's is not found", async () => {
    const [own] = await owner<{ id: string }[]>`select id from conversations where tenant_id = ${acme} limit 1`;
    const [foreign] = await owner<{ id: string }[]>`select id from conversations where tenant_id = ${globex} limit 1`;
    const detail = await withTenant(acme, (tx) => getConversation(tx, acme, own!.id));
    assert.ok(detail && detail.turns.length > 0);
    assert.equal(await withTenant(acme, (tx) => getConversation(tx, acme, foreign!.id)), null);
  });

  it("ingest writes a conversation with turns, and search finds it by a word of its transcript (the row trigger)", async () => {
    const [agent] = await owner<
      { name: string }[]
    >`select name from agents where tenant_id = ${acme} order by name limit 1`;
    const created = await withTenant(acme, (tx) =>
      createConversation(tx, acme, {
        agent: agent!.name,
        channel: "chat",
        caller: "citus-test@example.com",
        status: "completed",
        started_at: new Date().toISOString(),
        duration_seconds: 30,
        summary: "A question about sharding",
        turns: [
          { speaker: "caller", text: "Does the quokkaplatypus plan cover this?", offset_ms: 0 },
          { speaker: "agent", text: "It does.", offset_ms: 1000 },
        ],
      }),
    );
    written.push(created.id);
    const found = await withTenant(acme, (tx) => listConversations(tx, acme, { q: "quokkaplatypus" }, null));
    assert.deepEqual(
      found.rows.map((r) => r.id),
      [created.id],
    );
    const filtered = await withTenant(acme, (tx) =>
      listConversations(tx, acme, { q: "quokkaplatypus", channel: "chat" }, null),
    );
    assert.deepEqual(
      filtered.rows.map((r) => r.id),
      [created.id],
    );
    // Opened from the result, the detail marks the transcript's matches (ts_headline on the shard).
    const opened = await withTenant(acme, (tx) => getConversation(tx, acme, created.id, "quokkaplatypus"));
    assert.ok(opened!.turns.some((t) => t.text.includes(`${highlightStart}quokkaplatypus`)));
    // Another tenant's search does not see it.
    const other = await withTenant(globex, (tx) => listConversations(tx, globex, { q: "quokkaplatypus" }, null));
    assert.equal(other.rows.length, 0);
  });

  it("the overview's figures", async () => {
    const figures = await withTenant(acme, (tx) => overview(tx, acme));
    assert.ok(figures.perAgent.length > 0);
  });

  it("the audit log and the members page (a distributed table, and tables on the coordinator)", async () => {
    const audit = await withTenant(acme, (tx) => listAuditEvents(tx, acme, {}, null));
    assert.ok(Array.isArray(audit.rows));
    const members = await withTenant(acme, (tx) => listMembers(tx, acme));
    assert.ok(members.length > 0);
  });

  it("the platform admin's tenant overview (BYPASSRLS, counts per tenant)", async () => {
    const [user] = await owner<{ id: string }[]>`
      update users set is_platform_admin = true where email = ${demoUsers[0]!.email} returning id`;
    try {
      const page = await tenantOverview(user!.id, null);
      const acmeRow = page.rows.find((r) => r.id === acme);
      const [truth] = await owner<
        { n: number }[]
      >`select count(*)::int as n from conversations where tenant_id = ${acme}`;
      assert.equal(acmeRow?.conversations, truth!.n);
    } finally {
      await owner`update users set is_platform_admin = false where id = ${user!.id}`;
    }
  });

  it("agent SQL as agent_reader: the tenant's rows only, whatever the SQL names", async () => {
    const [user] = await owner<{ id: string }[]>`select id from users where email = ${demoUsers[0]!.email}`;
    const run = (sql: string) =>
      runAgentSql({ tenantId: acme, sql, actor: { kind: "user", userId: user!.id }, via: "sql_endpoint" });
    const own = await run("select count(*) as n from conversations");
    assert.ok(own.ok, JSON.stringify(own));
    const [truth] = await owner<{ n: string }[]>`select count(*) as n from conversations where tenant_id = ${acme}`;
    assert.equal(String(own.result.rows[0]![0]), truth!.n);
    const foreign = await run(`select count(*) as n from conversations where tenant_id = '${globex}'`);
    assert.ok(foreign.ok, JSON.stringify(foreign));
    assert.equal(String(foreign.result.rows[0]![0]), "0");
    // Their audit rows, with the outcomes written after the answers in one batch (one transaction
    // updating rows of a distributed table on the tenant's shard).
    await agentSqlAuditsSettled();
    const audited = await owner<{ verdict: string }[]>`
      select metadata->>'verdict' as verdict from audit_events
      where tenant_id = ${acme} and action = 'agent_sql.run' and actor_user_id = ${user!.id}
      order by id desc limit 2`;
    assert.deepEqual(
      audited.map((r) => r.verdict),
      ["ok", "ok"],
    );
  });
});
