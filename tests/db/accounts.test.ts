import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { closePools } from "@/db/client";
import { withTenant, withUser } from "@/db/tenant";
import { externalSignInProof } from "@/db/auth";
import { sql } from "drizzle-orm";
import { adminSql, appSql, ownerSql, rejectsWith, tenantIdsBySlug } from "../support/db";

/**
 * The SECURITY DEFINER functions that run before any tenant context (drizzle/0004), called as
 * app_user exactly as the app calls them, with the owner connection as the control.
 */
after(async () => {
  await closePools();
  await ownerSql().end();
});

const uniqueEmail = (label: string) => `${label}-${randomBytes(5).toString("hex")}@example.test`;
const password = "correct-horse-battery";

async function signUp(email: string, workspace = "Test Workspace") {
  const [row] = await appSql()<
    { new_user_id: string; new_tenant_id: string }[]
  >`select * from app.sign_up(${email}, 'Tess Tester', ${password}, ${workspace})`;
  return { userId: row!.new_user_id, tenantId: row!.new_tenant_id };
}

async function signIn(email: string, pw: string, ip: string | null = null) {
  const [row] = await appSql()<
    { signed_in_user_id: string | null; retry_after_seconds: number }[]
  >`select * from app.sign_in(${email}, ${pw}, ${ip})`;
  return row!;
}

describe("app.sign_up", () => {
  it("creates the user (bcrypt in the database), a tenant with a slug from its name, and the owner membership", async () => {
    const email = uniqueEmail("signup");
    const { userId, tenantId } = await signUp(email, "Zebra Logistics, Inc.");
    const [tenant] = await adminSql()<
      { slug: string; name: string }[]
    >`select slug, name from tenants where id = ${tenantId}`;
    assert.equal(tenant!.name, "Zebra Logistics, Inc.");
    assert.match(tenant!.slug, /^zebra-logistics-inc(-[0-9a-f]{6})?$/);
    const [membership] = await adminSql()<
      { role: string }[]
    >`select role from memberships where tenant_id = ${tenantId} and user_id = ${userId}`;
    assert.equal(membership!.role, "owner");
    const [hash] = await ownerSql()<{ password_hash: string }[]>`select password_hash from users where id = ${userId}`;
    assert.match(hash!.password_hash, /^\$2a\$10\$/);
    const [audit] = await adminSql()<
      { action: string }[]
    >`select action from audit_events where tenant_id = ${tenantId}`;
    assert.equal(audit!.action, "tenant.created");
  });

  it("gives a second workspace of the same name a different slug", async () => {
    const a = await signUp(uniqueEmail("slug-a"), "Same Name Co");
    const b = await signUp(uniqueEmail("slug-b"), "Same Name Co");
    const rows = await adminSql()<
      { slug: string }[]
    >`select slug from tenants where id in (${a.tenantId}, ${b.tenantId})`;
    assert.equal(new Set(rows.map((r) => r.slug)).size, 2);
    for (const r of rows) assert.match(r.slug, /^same-name-co(-[0-9a-f]{6})?$/);
  });

  it("refuses a taken email (unique violation), a short password and an empty workspace name, creating nothing", async () => {
    const email = uniqueEmail("taken");
    await signUp(email);
    const [before] = await adminSql()<{ n: number }[]>`select count(*)::int as n from tenants`;
    await rejectsWith(signUp(email.toUpperCase()), /users_email_key/);
    await rejectsWith(
      appSql()`select * from app.sign_up(${uniqueEmail("short")}, 'X', 'short', 'Workspace')`,
      /at least 8 characters/,
    );
    await rejectsWith(
      appSql()`select * from app.sign_up(${uniqueEmail("blank")}, 'X', ${password}, '   ')`,
      /workspace name/,
    );
    const [afterCount] = await adminSql()<{ n: number }[]>`select count(*)::int as n from tenants`;
    assert.equal(afterCount!.n, before!.n);
  });
});

describe("app.sign_in and the throttle", () => {
  it("returns the user for the right password; wrong password and unknown email get the same empty answer", async () => {
    const email = uniqueEmail("signin");
    const { userId } = await signUp(email);
    assert.equal((await signIn(email, password)).signed_in_user_id, userId);
    assert.equal((await signIn(email.toUpperCase(), password)).signed_in_user_id, userId);
    assert.deepEqual(await signIn(email, "wrong-password"), { signed_in_user_id: null, retry_after_seconds: 0 });
    assert.deepEqual(await signIn(uniqueEmail("unknown"), "wrong-password"), {
      signed_in_user_id: null,
      retry_after_seconds: 0,
    });
  });

  it("blocks an account after 5 consecutive failures, even with the right password, and doubles the wait", async () => {
    const email = uniqueEmail("throttled");
    await signUp(email);
    for (let i = 0; i < 4; i++) assert.equal((await signIn(email, "nope")).retry_after_seconds, 0);
    await signIn(email, "nope"); // the 5th failure sets the block
    const blocked = await signIn(email, password);
    assert.equal(blocked.signed_in_user_id, null, "the right password is not even checked while blocked");
    assert.ok(
      blocked.retry_after_seconds > 0 && blocked.retry_after_seconds <= 60,
      `waits ${blocked.retry_after_seconds} s`,
    );
    // After the wait, one more failure doubles it.
    await ownerSql()`update app_private.sign_in_throttle set blocked_until = clock_timestamp() - interval '1 second' where scope = 'account' and key = ${email}`;
    await signIn(email, "nope");
    const doubled = await signIn(email, password);
    assert.ok(
      doubled.retry_after_seconds > 60 && doubled.retry_after_seconds <= 120,
      `waits ${doubled.retry_after_seconds} s`,
    );
    // Another account is not affected.
    const other = uniqueEmail("neighbour");
    const { userId } = await signUp(other);
    assert.equal((await signIn(other, password)).signed_in_user_id, userId);
  });

  it("throttles an unknown email exactly like a known one (the throttle tells nothing)", async () => {
    const unknown = uniqueEmail("ghost");
    for (let i = 0; i < 5; i++) await signIn(unknown, "nope");
    assert.ok((await signIn(unknown, "nope")).retry_after_seconds > 0);
  });

  it("blocks an address after 30 failures across accounts, and not other addresses", async () => {
    const ip = `203.0.113.${randomBytes(1)[0]! % 250}`;
    await ownerSql()`delete from app_private.sign_in_throttle where scope = 'ip' and key = ${ip}`;
    for (let i = 0; i < 30; i++) await signIn(uniqueEmail("spray"), "nope", ip);
    const email = uniqueEmail("victim");
    const { userId } = await signUp(email);
    assert.ok((await signIn(email, password, ip)).retry_after_seconds > 0, "blocked from the spraying address");
    assert.equal((await signIn(email, password, "198.51.100.7")).signed_in_user_id, userId, "another address signs in");
  });

  it("a success resets the account's count", async () => {
    const email = uniqueEmail("reset");
    const { userId } = await signUp(email);
    for (let i = 0; i < 4; i++) await signIn(email, "nope");
    assert.equal((await signIn(email, password)).signed_in_user_id, userId);
    for (let i = 0; i < 4; i++) await signIn(email, "nope");
    assert.equal((await signIn(email, password)).signed_in_user_id, userId, "4 new failures do not block");
  });

  it("records a failed sign-in in the audit log of every tenant the account belongs to", async () => {
    const ids = await tenantIdsBySlug();
    const marker = `198.51.100.${randomBytes(1)[0]! % 250}`;
    await signIn("dana@demo.test", "wrong-password", marker);
    const rows = await adminSql()<{ tenant_id: string }[]>`
      select tenant_id from audit_events where action = 'auth.sign_in_failed' and target = 'dana@demo.test' and metadata->>'ip' = ${marker}`;
    assert.deepEqual(new Set(rows.map((r) => r.tenant_id)), new Set([ids["acme-health"], ids["globex-realty"]]));
    await ownerSql()`delete from app_private.sign_in_throttle where key in ('dana@demo.test', ${marker})`;
  });

  it("app_user cannot call the unthrottled app.authenticate nor read the throttle (the owner can: control)", async () => {
    await rejectsWith(appSql()`select app.authenticate('alice@acme.test', 'demo-password')`, /permission denied/);
    await rejectsWith(appSql()`select * from app_private.sign_in_throttle`, /permission denied/);
    const [owner] = await ownerSql()<
      { id: string | null }[]
    >`select app.authenticate('alice@acme.test', 'demo-password') as id`;
    assert.ok(owner!.id);
  });
});

describe("app.change_password", () => {
  it("changes the password of the user in the signed context only, after checking the current one", async () => {
    const email = uniqueEmail("change");
    const { userId } = await signUp(email);
    const change = (current: string, next: string) =>
      withUser(userId, (tx) =>
        tx.execute<{ outcome: string }>(sql`select app.change_password(${current}, ${next}) as outcome`),
      ).then((r) => r[0]!.outcome);
    assert.equal(await change("not-it", "new-password-1"), "wrong_password");
    await rejectsWith(change(password, "short"), /at least 8 characters/);
    assert.equal(await change(password, "new-password-1"), "changed");
    assert.equal((await signIn(email, password)).signed_in_user_id, null);
    assert.equal((await signIn(email, "new-password-1")).signed_in_user_id, userId);
  });

  it("refuses without a signed-in user in context", async () => {
    await rejectsWith(appSql()`select app.change_password('a', 'new-password-1')`, /no signed-in user/);
    const ids = await tenantIdsBySlug();
    await rejectsWith(
      withTenant(ids["acme-health"]!, (tx) =>
        tx.execute(sql`select app.change_password('demo-password', 'new-password-1')`),
      ),
      /no signed-in user/,
    );
  });
});

describe("app.external_sign_in (OAuth, verified email)", () => {
  const signIn = (email: string, name: string, proof = externalSignInProof(email)) =>
    appSql()<{ id: string }[]>`select app.external_sign_in(${email}, ${name}, ${proof}) as id`;

  it("links to the existing account by email, and creates an account with its own workspace for a new one", async () => {
    const [existing] = await signIn("ALICE@acme.test", "Alice");
    const [alice] = await adminSql()<{ id: string }[]>`select id from users where email = 'alice@acme.test'`;
    assert.equal(existing!.id, alice!.id);
    const email = uniqueEmail("oauth");
    const [created] = await signIn(email, "Olly Auth");
    const [membership] = await adminSql()<{ role: string; name: string }[]>`
      select m.role, t.name from memberships m join tenants t on t.id = m.tenant_id where m.user_id = ${created!.id}`;
    assert.deepEqual(membership, { role: "owner", name: "Olly Auth's workspace" });
    const [again] = await signIn(email, "Olly Auth");
    assert.equal(again!.id, created!.id);
    const [hash] = await ownerSql()<
      { password_hash: string | null }[]
    >`select password_hash from users where id = ${created!.id}`;
    assert.equal(hash!.password_hash, null, "no password: signing in with one fails");
  });

  it("refuses SQL running as app_user without the server's proof: none, forged, for another address, expired", async () => {
    const email = uniqueEmail("no-proof");
    const refused = /external sign-in (needs a proof from the server|proof expired)/;
    await rejectsWith(signIn("alice@acme.test", "Mallory", ""), refused);
    await rejectsWith(
      signIn("alice@acme.test", "Mallory", externalSignInProof("alice@acme.test", "x".repeat(43))),
      refused,
    );
    await rejectsWith(signIn("alice@acme.test", "Mallory", externalSignInProof(email)), refused);
    await rejectsWith(
      signIn("alice@acme.test", "Mallory", externalSignInProof("alice@acme.test", undefined, Date.now() - 120_000)),
      refused,
    );
    await rejectsWith(signIn(email, "Mallory", "9999999999.00"), refused);
    const [created] = await adminSql()<{ n: number }[]>`select count(*)::int as n from users where email = ${email}`;
    assert.equal(created!.n, 0, "no account was created");
  });
});

describe("magic links", () => {
  const mac = () => createHash("sha256").update(randomBytes(16)).digest("hex");

  const request = async (email: string, m: string, ip: string | null = null) => {
    const [r] = await appSql()<{ stored: boolean; retry_after_seconds: number }[]>`
      select stored, retry_after_seconds from app.create_magic_link(${email}, ${m}, ${ip})`;
    return r!.retry_after_seconds > 0 ? "throttled" : r!.stored ? "stored" : "no link";
  };

  it("stores a link only for an existing account, uses it once; a fourth request in 15 minutes is throttled", async () => {
    const email = uniqueEmail("magic");
    const { userId } = await signUp(email);
    assert.equal(await request(uniqueEmail("nobody"), mac()), "no link");
    const first = mac();
    const outcomes = [];
    for (const m of [first, mac(), mac(), mac()]) outcomes.push(await request(email, m));
    assert.deepEqual(outcomes, ["stored", "stored", "stored", "throttled"]);
    const [used] = await appSql()<{ id: string | null }[]>`select app.consume_magic_link(${first}) as id`;
    assert.equal(used!.id, userId);
    const [twice] = await appSql()<{ id: string | null }[]>`select app.consume_magic_link(${first}) as id`;
    assert.equal(twice!.id, null);
    await rejectsWith(appSql()`select * from app.create_magic_link(${email}, 'not-a-mac', null)`, /HMAC/);
  });

  it("throttles an address without an account exactly like one with (the answer tells nothing)", async () => {
    const known = uniqueEmail("known");
    await signUp(known);
    const unknown = uniqueEmail("unknown");
    const run = async (email: string) => {
      const outcomes = [];
      for (let i = 0; i < 4; i++) outcomes.push((await request(email, mac())) === "throttled");
      return outcomes;
    };
    assert.deepEqual(await run(known), await run(unknown));
    assert.deepEqual(await run(unknown), [true, true, true, true]);
  });

  it("throttles one client address across many accounts: 10 requests per 15 minutes", async () => {
    const ip = `203.0.113.${Math.floor(Math.random() * 250)}`;
    await ownerSql()`delete from app_private.rate_buckets where key = ${`magic_link_ip:${ip}`}`;
    const outcomes = [];
    for (let i = 0; i < 11; i++) outcomes.push(await request(uniqueEmail(`spray${i}`), mac(), ip));
    assert.deepEqual(outcomes, [...Array<string>(10).fill("no link"), "throttled"]);
    assert.equal(await request(uniqueEmail("elsewhere"), mac(), "198.51.100.7"), "no link", "another address is not");
  });

  it("refuses an expired link", async () => {
    const email = uniqueEmail("expired");
    await signUp(email);
    const m = mac();
    await appSql()`select * from app.create_magic_link(${email}, ${m}, null)`;
    await ownerSql()`update app_private.magic_links set expires_at = now() - interval '1 second' where token_mac = ${m}`;
    const [r] = await appSql()<{ id: string | null }[]>`select app.consume_magic_link(${m}) as id`;
    assert.equal(r!.id, null);
  });
});

describe("the definer functions app roles can execute", () => {
  it("every function app_user may execute in schema app is SECURITY DEFINER with a pinned search_path; agent_reader gets none of the new ones", async () => {
    const rows = await ownerSql()<
      { name: string; definer: boolean; config: string[] | null; app_user: boolean; agent_reader: boolean }[]
    >`
      select p.proname as name, p.prosecdef as definer, p.proconfig as config,
             has_function_privilege('app_user', p.oid, 'execute') as app_user,
             has_function_privilege('agent_reader', p.oid, 'execute') as agent_reader
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = 'app' order by 1`;
    const executable = rows.filter((r) => r.app_user).map((r) => r.name);
    assert.deepEqual(executable, [
      "accept_invitation_as_new_user",
      "change_password",
      "consume_magic_link",
      "conversation_search_page",
      "create_magic_link",
      "current_tenant_id",
      "current_user_id",
      "end_other_sessions",
      "end_session",
      "enter_tenant",
      "external_sign_in",
      "invitation_by_token",
      "matching_conversation_ids",
      "open_session",
      "resolve_api_key",
      "set_local_setting",
      "sign_in",
      "sign_up",
      "touch_session",
    ]);
    // app.enter_tenant (the context setter on Citus) runs with the caller's rights on purpose: it only
    // sets app.tenant_ctx, which the caller can set with SET LOCAL itself; verifying it is what grants.
    const invoker = ["enter_tenant", "set_local_setting"];
    for (const r of rows.filter((x) => x.app_user)) {
      assert.equal(r.definer, !invoker.includes(r.name), `${r.name} is SECURITY DEFINER`);
      // set_local_setting may set search_path itself (SET LOCAL), which a pinned one would undo on return;
      // it runs with the caller's rights and only EXECUTEs a SET of an allow-listed name.
      if (r.name === "set_local_setting") continue;
      assert.ok(
        r.config?.some((c) => c.startsWith("search_path=")),
        `${r.name} pins search_path`,
      );
    }
    assert.deepEqual(
      rows.filter((r) => r.agent_reader).map((r) => r.name),
      // The agent SQL audit row, written in the call's own round trip (db/agent-sql.ts).
      [
        "current_tenant_id",
        "current_user_id",
        "enter_tenant",
        "record_agent_sql_call",
        "record_agent_sql_outcome",
        "set_local_setting",
      ],
    );
    const [privateFns] = await ownerSql()<{ n: number }[]>`
      select count(*)::int as n from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = 'app_private' and (has_function_privilege('app_user', p.oid, 'execute') or has_function_privilege('agent_reader', p.oid, 'execute'))`;
    assert.equal(privateFns!.n, 0, "no app_private function is executable by the app roles");
  });
});
