import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { closePools } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { adminSql, appSql, ownerSql, rejectsWith, tenantIdsBySlug, token } from "../support/db";
import { roleDatabaseUrl } from "@/db/env";

const appUrl = () => roleDatabaseUrl("app_user");

/** Invitations (hashed links, definer functions), the last-owner rule, and what app_user may touch. */
let ids: Record<string, string> = {};
before(async () => {
  ids = await tenantIdsBySlug();
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

const uniqueEmail = (label: string) => `${label}-${randomBytes(5).toString("hex")}@example.test`;

async function workspace() {
  const [row] = await appSql()<{ new_user_id: string; new_tenant_id: string }[]>`
    select * from app.sign_up(${uniqueEmail("owner")}, 'Owner', 'correct-horse-battery', 'Team Test')`;
  return { ownerId: row!.new_user_id, tenantId: row!.new_tenant_id };
}

/** An invitation created the way the app creates it: inside withTenant, storing only the SHA-256. */
async function invitation(tenantId: string, email: string, role = "member", expiresIn = "7 days") {
  const secret = randomBytes(32).toString("base64url");
  const hash = createHash("sha256").update(secret).digest("hex");
  await withTenant(tenantId, (tx) =>
    tx.execute(
      sql`insert into invitations (tenant_id, email, role, token_hash, expires_at) values (${tenantId}, ${email}, ${role}, ${hash}, now() + ${expiresIn}::interval)`,
    ),
  );
  return { secret, hash };
}

describe("invitations", () => {
  it("are read by the link's secret, never by the stored hash", async () => {
    const { tenantId } = await workspace();
    const email = uniqueEmail("invitee");
    const { secret, hash } = await invitation(tenantId, email, "viewer");
    const [found] = await appSql()<
      { tenant_id: string; email: string; role: string; status: string; account_exists: boolean }[]
    >`select * from app.invitation_by_token(${secret})`;
    assert.deepEqual(
      {
        tenant: found!.tenant_id,
        email: found!.email,
        role: found!.role,
        status: found!.status,
        exists: found!.account_exists,
      },
      { tenant: tenantId, email, role: "viewer", status: "pending", exists: false },
    );
    assert.equal(
      (await appSql()`select * from app.invitation_by_token(${hash})`).length,
      0,
      "the hash is not a credential",
    );
  });

  it("app_user cannot read token_hash, even inside the tenant (column grant); the owner can (control)", async () => {
    const { tenantId } = await workspace();
    await invitation(tenantId, uniqueEmail("hidden"));
    await rejectsWith(
      withTenant(tenantId, (tx) => tx.execute(sql`select token_hash from invitations`)),
      /permission denied/,
    );
    const [control] = await ownerSql()<
      { n: number }[]
    >`select count(token_hash)::int as n from invitations where tenant_id = ${tenantId}`;
    assert.equal(control!.n, 1);
  });

  it("accepting as a new user creates the account with the invited address and role, once", async () => {
    const { tenantId } = await workspace();
    const email = uniqueEmail("newbie");
    const { secret } = await invitation(tenantId, email, "admin");
    const [joined] = await appSql()<{ new_user_id: string; joined_tenant_id: string }[]>`
      select * from app.accept_invitation_as_new_user(${secret}, 'New Bie', 'correct-horse-battery')`;
    assert.equal(joined!.joined_tenant_id, tenantId);
    const [row] = await adminSql()<{ email: string; role: string; status: string }[]>`
      select u.email, m.role, i.status from users u
      join memberships m on m.user_id = u.id and m.tenant_id = ${tenantId}
      join invitations i on i.tenant_id = m.tenant_id and i.email = u.email
      where u.id = ${joined!.new_user_id}`;
    assert.deepEqual(row, { email, role: "admin", status: "accepted" });
    const [audit] = await adminSql()<
      { action: string }[]
    >`select action from audit_events where tenant_id = ${tenantId} and actor_user_id = ${joined!.new_user_id}`;
    assert.equal(audit!.action, "member.joined");
    await rejectsWith(
      appSql()`select * from app.accept_invitation_as_new_user(${secret}, 'Again', 'correct-horse-battery')`,
      /not valid any more/,
    );
  });

  it("an expired or revoked invitation cannot be accepted, and nothing is created", async () => {
    const { tenantId } = await workspace();
    const expiredEmail = uniqueEmail("late");
    const expired = await invitation(tenantId, expiredEmail, "member", "-1 second");
    const [seen] = await appSql()<{ status: string }[]>`select status from app.invitation_by_token(${expired.secret})`;
    assert.equal(seen!.status, "expired");
    await rejectsWith(
      appSql()`select * from app.accept_invitation_as_new_user(${expired.secret}, 'Late', 'correct-horse-battery')`,
      /not valid any more/,
    );
    const revoked = await invitation(tenantId, uniqueEmail("revoked"));
    await withTenant(tenantId, (tx) =>
      tx.execute(sql`update invitations set status = 'revoked' where tenant_id = ${tenantId}`),
    );
    await rejectsWith(
      appSql()`select * from app.accept_invitation_as_new_user(${revoked.secret}, 'Rev', 'correct-horse-battery')`,
      /not valid any more/,
    );
    const [users] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from users where email = ${expiredEmail}`;
    assert.equal(users!.n, 0);
  });

  it("an address that already has an account must sign in to accept (unique violation, nothing half-done)", async () => {
    const { tenantId } = await workspace();
    const { secret } = await invitation(tenantId, "carol@initech.test");
    await rejectsWith(
      appSql()`select * from app.accept_invitation_as_new_user(${secret}, 'Carol', 'correct-horse-battery')`,
      /users_email_key/,
    );
    const [status] = await adminSql()<
      { status: string }[]
    >`select status from invitations where tenant_id = ${tenantId}`;
    assert.equal(status!.status, "pending");
  });

  it("one pending invitation per address and tenant", async () => {
    const { tenantId } = await workspace();
    const email = uniqueEmail("twice");
    await invitation(tenantId, email);
    await rejectsWith(invitation(tenantId, email), /invitations_tenant_pending_email_key/);
  });
});

describe("a workspace keeps an owner (trigger memberships_last_owner)", () => {
  const demote = (tenantId: string, userId: string) =>
    withTenant(tenantId, (tx) =>
      tx.execute(sql`update memberships set role = 'admin' where tenant_id = ${tenantId} and user_id = ${userId}`),
    );
  const remove = (tenantId: string, userId: string) =>
    withTenant(tenantId, (tx) =>
      tx.execute(sql`delete from memberships where tenant_id = ${tenantId} and user_id = ${userId}`),
    );

  it("refuses demoting or removing the last owner, as app_user and even as the owner role (control: a second owner makes it possible)", async () => {
    const { tenantId, ownerId } = await workspace();
    await rejectsWith(demote(tenantId, ownerId), /at least one owner/);
    await rejectsWith(remove(tenantId, ownerId), /at least one owner/);
    await rejectsWith(ownerSql()`delete from memberships where tenant_id = ${tenantId}`, /at least one owner/);
    const { secret } = await invitation(tenantId, uniqueEmail("second-owner"), "owner");
    await appSql()`select * from app.accept_invitation_as_new_user(${secret}, 'Second', 'correct-horse-battery')`;
    await demote(tenantId, ownerId);
    const [roles] = await adminSql()<
      { owners: number }[]
    >`select count(*) filter (where role = 'owner')::int as owners from memberships where tenant_id = ${tenantId}`;
    assert.equal(roles!.owners, 1);
  });

  it("two transactions demoting the two last owners at once: one of them is refused", async () => {
    const { tenantId, ownerId } = await workspace();
    const { secret } = await invitation(tenantId, uniqueEmail("co-owner"), "owner");
    const [second] = await appSql()<
      { new_user_id: string }[]
    >`select * from app.accept_invitation_as_new_user(${secret}, 'Co', 'correct-horse-battery')`;
    // Two connections of their own (the shared pool has one): both start before either commits.
    const a = postgres(appUrl(), { max: 1, onnotice: () => undefined });
    const b = postgres(appUrl(), { max: 1, onnotice: () => undefined });
    try {
      const ctx = token({ tenantId });
      const results = await Promise.allSettled(
        [a, b].map((conn, i) =>
          conn.begin(async (tx) => {
            await tx`select set_config('app.tenant_ctx', ${ctx}, true)`;
            await tx`update memberships set role = 'member' where tenant_id = ${tenantId} and user_id = ${i === 0 ? ownerId : second!.new_user_id}`;
            await tx`select pg_sleep(0.3)`;
          }),
        ),
      );
      assert.equal(results.filter((r) => r.status === "rejected").length, 1, "exactly one demotion is refused");
      const [roles] = await adminSql()<
        { owners: number }[]
      >`select count(*) filter (where role = 'owner')::int as owners from memberships where tenant_id = ${tenantId}`;
      assert.equal(roles!.owners, 1);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it("deleting the whole tenant still works (its memberships go with it)", async () => {
    const { tenantId } = await workspace();
    await ownerSql()`delete from tenants where id = ${tenantId}`;
    const [left] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from memberships where tenant_id = ${tenantId}`;
    assert.equal(left!.n, 0);
  });
});

describe("profiles and the platform tables, as app_user", () => {
  it("a user renames themself, not anyone else, and cannot touch the admin flag", async () => {
    const acme = ids["acme-health"]!;
    const [alice] = await adminSql()<{ id: string }[]>`select id from users where email = 'alice@acme.test'`;
    const [dana] = await adminSql()<
      { id: string; name: string }[]
    >`select id, name from users where email = 'dana@demo.test'`;
    const renamedOther = await withTenant(
      acme,
      (tx) => tx.execute(sql`update users set name = 'Hijacked' where id = ${dana!.id} returning id`),
      { userId: alice!.id },
    );
    assert.equal(renamedOther.length, 0, "dana is visible in acme but not updatable by alice");
    const [control] = await adminSql()<{ name: string }[]>`select name from users where id = ${dana!.id}`;
    assert.equal(control!.name, dana!.name);
    await rejectsWith(
      withTenant(acme, (tx) => tx.execute(sql`update users set is_platform_admin = true where id = ${alice!.id}`), {
        userId: alice!.id,
      }),
      /permission denied/,
    );
    const renamed = await withTenant(
      acme,
      (tx) => tx.execute(sql`update users set name = name where id = ${alice!.id} returning id`),
      { userId: alice!.id },
    );
    assert.equal(renamed.length, 1);
  });

  it("platform_audit_events: no access for app_user; the platform_admin role appends and reads", async () => {
    await rejectsWith(appSql()`select * from platform_audit_events`, /permission denied/);
    await rejectsWith(appSql()`insert into platform_audit_events (action) values ('forged')`, /permission denied/);
    const [row] = await adminSql()<
      { id: number }[]
    >`insert into platform_audit_events (action) values ('test.appended') returning id`;
    assert.ok(row!.id > 0);
    await rejectsWith(adminSql()`delete from platform_audit_events where id = ${row!.id}`, /permission denied/);
  });
});
