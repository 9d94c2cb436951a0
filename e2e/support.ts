import { expect, type Browser, type BrowserContext, type Cookie, type Page } from "@playwright/test";
import postgres from "postgres";

export const demoPassword = "demo-password";

export async function signIn(page: Page, email: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(demoPassword);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/conversations$/);
}

/** The BYPASSRLS admin connection, used by tests to fetch another tenant's real ids and text. */
export function adminConnection() {
  const url = process.env.E2E_ADMIN_DATABASE_URL;
  if (!url) throw new Error("E2E_ADMIN_DATABASE_URL is set by npm test");
  return postgres(url, { max: 1 });
}

/** The owner connection (bypasses RLS, may write), for tests that must set up or break data, e.g. remove a membership. */
export function ownerConnection() {
  const url = process.env.E2E_OWNER_DATABASE_URL;
  if (!url) throw new Error("E2E_OWNER_DATABASE_URL is set by npm test");
  return postgres(url, { max: 1, onnotice: () => undefined });
}

/** Auth.js's session cookie over http (https prefixes it with __Secure-). */
export const sessionCookieName = "authjs.session-token";

/** A fresh browser context signed in as `email` (a second user in the same test gets their own cookies). */
export async function signedInContext(browser: Browser, email: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

/**
 * Drops Next's link prefetches in `context`. Each prefetch response carries a refreshed session cookie
 * (Auth.js rolls it on every request), and one landing late overwrites a cookie the test has just
 * edited or cleared.
 */
export async function dropPrefetches(context: BrowserContext) {
  await context.route("**/*", (route) => (route.request().headers()["next-router-prefetch"] ? route.abort() : route.continue()));
}

export async function sessionCookie(context: BrowserContext): Promise<Cookie> {
  const cookie = (await context.cookies()).find((c) => c.name === sessionCookieName);
  if (!cookie) throw new Error(`no ${sessionCookieName} cookie in this context`);
  return cookie;
}

/**
 * What a tenant's data looks like in a response: strings that appear nowhere else (its id and name,
 * agent names no other tenant uses, the first lines of its newest summaries, one full transcript),
 * and the ids of its newest conversations. Read with the BYPASSRLS admin role.
 */
export interface TenantFingerprint {
  slug: string;
  id: string;
  name: string;
  conversationIds: string[];
  secrets: string[];
}

export async function tenantFingerprint(slug: string): Promise<TenantFingerprint> {
  const admin = adminConnection();
  try {
    const [tenant] = await admin<{ id: string; name: string }[]>`select id, name from tenants where slug = ${slug}`;
    if (!tenant) throw new Error(`no tenant ${slug} in the test database`);
    const agents = await admin<{ name: string }[]>`
      select distinct name from agents a where tenant_id = ${tenant.id}
      and not exists (select from agents o where o.name = a.name and o.tenant_id <> a.tenant_id)`;
    const newest = await admin<{ id: string; headline: string }[]>`
      select id, split_part(summary, E'\\n', 1) as headline from conversations
      where tenant_id = ${tenant.id} order by started_at desc, id desc limit 120`;
    const headlines = new Set(newest.map((c) => c.headline));
    const shared = await admin<{ headline: string }[]>`
      select distinct split_part(summary, E'\\n', 1) as headline from conversations
      where tenant_id <> ${tenant.id} and split_part(summary, E'\\n', 1) = any(${[...headlines]})`;
    for (const s of shared) headlines.delete(s.headline);
    const turns = await admin<{ text: string }[]>`
      select text from conversation_turns t where tenant_id = ${tenant.id} and conversation_id = ${newest[0]!.id} and length(text) > 40
      and not exists (select from conversation_turns o where o.text = t.text and o.tenant_id <> t.tenant_id) order by position`;
    return {
      slug,
      id: tenant.id,
      name: tenant.name,
      conversationIds: newest.map((c) => c.id),
      secrets: [tenant.id, tenant.name, ...agents.map((a) => a.name), ...headlines, ...turns.map((t) => t.text)],
    };
  } finally {
    await admin.end();
  }
}

/**
 * Fails naming the first of `tenant`'s strings found in `body` (HTML as served, rendered DOM, JSON).
 * `except`: text the test itself sent (e.g. the URL), whose identifiers may be echoed back.
 */
export function expectNoDataOf(tenant: TenantFingerprint, body: string, where: string, options: { except?: string } = {}) {
  const leaked = tenant.secrets.find((s) => body.includes(s) && !options.except?.includes(s));
  expect(leaked, `${where} contains ${tenant.slug} data: ${JSON.stringify(leaked)}`).toBeUndefined();
}
