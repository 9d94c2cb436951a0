import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { closePools, rawPool } from "@/db/client";
import { withUser } from "@/db/tenant";
import { endOtherSessions, endSession, openSessionRow, sessionAlive } from "@/db/sessions";
import { ownerSql, rejectsWith, sql } from "../support/db";

// Server-side sessions (drizzle/0016): the cookie names a row; the row decides. Each function acts on
// the signed context's user only.
let alice = "";
let bob = "";
const idle = 600;
const day = 86_400;

// Users of their own: revoking sessions must not touch the demo users' (the browser tests hold theirs).
async function scratchUser(label: string): Promise<{ id: string; email: string }> {
  const email = `${label}-${randomUUID().slice(0, 8)}@sessions.test`;
  const [row] = await rawPool("app_user")<{ id: string }[]>`
    select new_user_id as id from app.sign_up(${email}, 'Session Tester', 'a-long-password', 'Sessions')`;
  return { id: row!.id, email };
}

let bobEmail = "";
before(async () => {
  alice = (await scratchUser("alice")).id;
  const b = await scratchUser("bob");
  bob = b.id;
  bobEmail = b.email;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

const open = (userId: string, absolute = day) => withUser(userId, (tx) => openSessionRow(tx, absolute));
const alive = async (userId: string, sessionId: string, idleSeconds = idle) => {
  const [row] = await withUser(userId, (tx) =>
    tx.execute<{ alive: boolean }>(sql`select ${sessionAlive(sessionId, idleSeconds)} as alive`),
  );
  return row!.alive;
};
const lastSeen = async (sessionId: string) =>
  (await ownerSql()<{ at: Date }[]>`select last_seen_at as at from app_private.sessions where id = ${sessionId}`)[0]
    ?.at;
const age = (sessionId: string, column: "last_seen_at" | "expires_at", seconds: number) =>
  ownerSql()`update app_private.sessions set ${ownerSql()(column)} = ${ownerSql()(column)} - ${seconds} * interval '1 second'
             where id = ${sessionId}`;

describe("server-side sessions", () => {
  it("a new session is alive for its user only", async () => {
    const s = await open(alice);
    assert.equal(await alive(alice, s), true);
    assert.equal(await alive(bob, s), false, "another user's context cannot use it");
    assert.equal(await alive(alice, randomUUID()), false, "an unknown id is not a session");
  });

  it("slides with activity: a request after the write interval moves last_seen_at", async () => {
    const s = await open(alice);
    await age(s, "last_seen_at", 120);
    const before = await lastSeen(s);
    assert.equal(await alive(alice, s), true);
    const afterTouch = await lastSeen(s);
    assert.ok(afterTouch! > before!, "last_seen_at moved forward");
    // Within the write interval (a minute) a request does not write again.
    assert.equal(await alive(alice, s), true);
    assert.deepEqual(await lastSeen(s), afterTouch);
  });

  it("ends after the idle timeout without a request, and stays ended", async () => {
    const s = await open(alice);
    await age(s, "last_seen_at", idle - 30);
    assert.equal(await alive(alice, s), true, "control: just inside the idle timeout");
    await age(s, "last_seen_at", idle + 1);
    assert.equal(await alive(alice, s), false);
    assert.equal(await lastSeen(s), undefined, "the expired row is gone");
  });

  it("ends at its absolute lifetime however active it is", async () => {
    const s = await open(alice, 3600);
    assert.equal(await alive(alice, s), true);
    await age(s, "expires_at", 3601);
    assert.equal(await alive(alice, s), false, "a request a moment ago does not keep it alive");
  });

  it("sign-out ends one session; 'other devices' ends all but the one kept", async () => {
    const [a, b, c] = [await open(alice), await open(alice), await open(alice)];
    const bobs = await open(bob);
    await withUser(alice, (tx) => endSession(tx, a));
    assert.equal(await alive(alice, a), false);
    assert.equal(await alive(alice, b), true, "control: only the one signed out");
    await withUser(bob, (tx) => endSession(tx, b));
    assert.equal(await alive(alice, b), true, "bob's context cannot end alice's session");
    const ended = await withUser(alice, (tx) => endOtherSessions(tx, c));
    assert.ok(ended >= 1);
    assert.equal(await alive(alice, b), false);
    assert.equal(await alive(alice, c), true, "the session that asked stays");
    assert.equal(await alive(bob, bobs), true, "other users' sessions are untouched");
  });

  it("a platform admin's revoke ends every session of an account; app_user cannot call it", async () => {
    const s = await open(bob);
    await rejectsWith(rawPool("app_user")`select app.revoke_sessions_of(${bobEmail})`, /permission denied/);
    assert.equal(await alive(bob, s), true, "control: the refused call ended nothing");
    const [row] = await rawPool("platform_admin")<
      { ended: number }[]
    >`select app.revoke_sessions_of(${bobEmail}) as ended`;
    assert.ok(row!.ended >= 1);
    assert.equal(await alive(bob, s), false);
  });

  it("no runtime role reads the table, and the functions need a user in the context", async () => {
    for (const role of ["app_user", "agent_reader", "platform_admin"] as const) {
      await rejectsWith(rawPool(role)`select count(*) from app_private.sessions`, /permission denied/);
    }
    await rejectsWith(rawPool("app_user")`select app.open_session(3600)`, /no signed-in user/);
    await rejectsWith(rawPool("agent_reader")`select app.open_session(3600)`, /permission denied/);
  });
});
