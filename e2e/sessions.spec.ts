import { startNextServer, type NextServer } from "../tests/support/servers";
import { newPassword, signUp, unique } from "./support/accounts";
import { bearer, createKeyWithCli } from "./support/api-clients";
import { sessionCookie } from "./support/browser-session";
import { adminConnection, ownerConnection } from "./support/database";
import { submitSignInForm } from "./support/sign-in";
import { expect, multiStepFlows, test } from "./support/test";

multiStepFlows();

/**
 * Sessions and rate limits live in PostgreSQL, so they hold across server instances: two more
 * `next start` processes of the same build on the same database (and the same AUTH_SECRET) as the
 * suite's own server. Every test signs up users of its own: ending sessions must not touch the demo
 * users' stored ones.
 */
const perMinute = 6;
const idleSeconds = 3600;
let a: NextServer | undefined;
let b: NextServer | undefined;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(180_000);
  const env = {
    ...process.env,
    API_KEY_RATE_LIMIT_PER_MINUTE: String(perMinute),
    SESSION_IDLE_TIMEOUT_SECONDS: String(idleSeconds),
  };
  [a, b] = await Promise.all([
    startNextServer({ env, output: "ignore", timeoutMs: 150_000 }),
    startNextServer({ env, output: "ignore", timeoutMs: 150_000 }),
  ]);
});

test.afterAll(() => {
  a?.stop();
  b?.stop();
});

const servers = () => [a!, b!];

/** What a server does with a request carrying only this cookie: "served" or "to /login". */
async function withOnly(server: NextServer, cookie: { name: string; value: string }) {
  const res = await fetch(`${server.url}/conversations`, {
    headers: { cookie: `${cookie.name}=${cookie.value}` },
    redirect: "manual",
  });
  if (res.status === 200) return "served";
  const location = res.headers.get("location") ?? "";
  return res.status >= 300 && res.status < 400 && /\/login(\?|$)/.test(new URL(location, server.url).pathname)
    ? "to /login"
    : `status ${res.status} ${location}`;
}

/** What Auth.js's own session endpoint says about this cookie (it would re-issue a live one). */
async function authJsSession(server: NextServer, cookie: { name: string; value: string }) {
  const res = await fetch(`${server.url}/api/auth/session`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });
  const body = (await res.json()) as { user?: { email?: string } } | null;
  return { email: body?.user?.email ?? null, setCookie: res.headers.getSetCookie().join("; ") };
}

test("a cookie copied before sign-out is refused by both instances", async ({ page }) => {
  const email = await signUp(page, { workspace: unique("Copy Co") });
  const copy = await sessionCookie(page.context());
  // Control: the copy works on both instances (same secret, same database).
  for (const server of servers()) expect(await withOnly(server, copy)).toBe("served");
  expect((await authJsSession(a!, copy)).email).toBe(email);

  await page.getByTestId("user-menu").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);

  for (const server of servers()) expect(await withOnly(server, copy)).toBe("to /login");
  // Auth.js's endpoint neither describes nor re-issues an ended session: it clears the cookie.
  const ended = await authJsSession(b!, copy);
  expect(ended.email).toBeNull();
  expect(ended.setCookie).toMatch(/authjs\.session-token=;/);
});

test("'sign out other devices' ends the session another instance serves, and keeps this one", async ({
  page,
  browser,
}) => {
  const email = await signUp(page, { workspace: unique("Devices Co") });
  const elsewhere = await browser.newContext({ baseURL: b!.url });
  try {
    const other = await elsewhere.newPage();
    await submitSignInForm(other, email, newPassword);
    await expect(other).toHaveURL(/\/conversations$/, { timeout: 30_000 });

    await page.goto("/settings");
    const form = page.getByRole("form", { name: "Sessions" });
    await form.getByRole("button", { name: "Sign out other devices" }).click();
    await expect(form.getByRole("status")).toHaveText("1 other session was signed out.");

    await other.goto("/conversations");
    await expect(other).toHaveURL(/\/login/);
    await page.goto("/conversations");
    await expect(page.getByTestId("tenant-name")).toBeVisible();
  } finally {
    await elsewhere.close();
  }
});

test("a platform admin's revoke signs an account out on every instance", async ({ page, browser }) => {
  const adminEmail = await signUp(page, { workspace: unique("Operator Co") });
  const owner = ownerConnection();
  const target = await browser.newContext({ baseURL: a!.url });
  try {
    await owner`update users set is_platform_admin = true where email = ${adminEmail}`;
    const victim = await target.newPage();
    const victimEmail = await signUp(victim, { workspace: unique("Revoked Co") });
    const copy = await sessionCookie(target);
    for (const server of servers()) expect(await withOnly(server, copy)).toBe("served");

    await page.goto("/admin");
    const form = page.getByRole("form", { name: "Revoke sessions" });
    await form.getByLabel("Account email").fill(victimEmail);
    await form.getByRole("button", { name: "Revoke every session" }).click();
    await expect(form.getByRole("status")).toHaveText(`1 session of ${victimEmail} ended.`);

    for (const server of servers()) expect(await withOnly(server, copy)).toBe("to /login");
    const admin = adminConnection();
    try {
      const [audit] = await admin<{ n: number }[]>`
        select count(*)::int as n from platform_audit_events
        where action = 'admin.sessions_revoked' and metadata->>'email' = ${victimEmail}`;
      expect(audit!.n).toBe(1);
    } finally {
      await admin.end();
    }
  } finally {
    await target.close();
    await owner.end();
  }
});

test("sessions slide within the configured idle timeout, and end past it or past their absolute lifetime", async ({
  page,
}) => {
  const email = await signUp(page, { workspace: unique("Idle Co") });
  const copy = await sessionCookie(page.context());
  const owner = ownerConnection();
  // Time passes for the session: its row's clocks move back.
  const age = (column: "last_seen_at" | "expires_at", seconds: number) =>
    owner.unsafe(
      `update app_private.sessions s set ${column} = s.${column} - $1 * interval '1 second'
       from users u where u.id = s.user_id and u.email = $2`,
      [seconds, email],
    );
  try {
    await age("last_seen_at", idleSeconds - 600);
    expect(await withOnly(a!, copy)).toBe("served");
    // The request slid it: as much idle time again is fine.
    await age("last_seen_at", idleSeconds - 600);
    expect(await withOnly(b!, copy)).toBe("served");
    await age("last_seen_at", idleSeconds + 1);
    for (const server of servers()) expect(await withOnly(server, copy)).toBe("to /login");

    await page.goto("/login");
    await submitSignInForm(page, email, newPassword);
    await expect(page).toHaveURL(/\/conversations$/, { timeout: 30_000 });
    const fresh = await sessionCookie(page.context());
    expect(await withOnly(a!, fresh)).toBe("served");
    await age("expires_at", 30 * 86_400);
    for (const server of servers()) expect(await withOnly(server, fresh)).toBe("to /login");
  } finally {
    await owner.end();
  }
});

test("the API-key rate limit holds across both instances", async () => {
  const key = await createKeyWithCli("acme-health", unique("two instances"));
  const started = Date.now();
  const statuses: number[] = [];
  // Twice the limit, alternating between the instances: each sees only the limit itself, so a limit
  // kept per process would let all of them through.
  for (let i = 0; i < 2 * perMinute; i++) {
    const server = servers()[i % 2]!;
    statuses.push((await fetch(`${server.url}/api/v1/conversations`, { headers: bearer(key) })).status);
  }
  const elapsedSeconds = (Date.now() - started) / 1000;
  const served = statuses.filter((s) => s === 200).length;
  expect(
    statuses.every((s) => s === 200 || s === 429),
    statuses.join(","),
  ).toBe(true);
  expect(served, statuses.join(",")).toBeGreaterThanOrEqual(perMinute);
  // The bucket refills at perMinute/60 per second while the requests run.
  expect(served, statuses.join(",")).toBeLessThanOrEqual(perMinute + Math.floor((elapsedSeconds * perMinute) / 60));
  expect(statuses.slice(0, perMinute)).toEqual(Array<number>(perMinute).fill(200));
  expect(statuses, "some were refused").toContain(429);
});
