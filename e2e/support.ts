import {
  expect as baseExpect,
  test,
  type Browser,
  type BrowserContext,
  type Cookie,
  type Page,
} from "@playwright/test";

/**
 * For the account and team suites: their flows chain several server actions, and the machine running
 * them may be busy, so assertions wait longer than the default 5 s (a timeout is not a measurement).
 */
export const expect = baseExpect.configure({ timeout: 15_000 });

/** Call at the top of a spec file whose tests walk through several pages, users and actions. */
export function multiStepFlows() {
  test.beforeEach(() => test.setTimeout(180_000));
}
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
export async function signedInContext(
  browser: Browser,
  email: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signIn(page, email);
  return { context, page };
}

/**
 * Drops Next's link prefetches in `context`, so that the requests a test sees are the ones it makes.
 * (Answers no longer carry the session cookie, middleware.ts; before that, a prefetch answered late
 * overwrote a cookie the test had just edited or cleared.)
 */
export async function dropPrefetches(context: BrowserContext) {
  await context.route("**/*", (route) =>
    route.request().headers()["next-router-prefetch"] ? route.abort() : route.continue(),
  );
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

/** A unique suffix, so tests that create accounts and workspaces never collide (they run in parallel). */
export function unique(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

export const newPassword = "correct-horse-battery";

/** Signs up through the UI and returns the new account's email; lands on the new workspace's conversations. */
export async function signUp(page: Page, options: { name?: string; email?: string; workspace: string }) {
  const email = options.email ?? `${unique("user")}@example.test`;
  await page.goto("/signup");
  await page.getByLabel("Your name").fill(options.name ?? "New Person");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(newPassword);
  await page.getByLabel("Workspace name").fill(options.workspace);
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page).toHaveURL(/\/conversations$/);
  await expect(page.getByTestId("tenant-name")).toHaveText(options.workspace);
  return email;
}

/** Signs in with any password (signIn uses the demo password). */
export async function signInWith(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/** Creates an invitation from the members page and returns its link. */
export async function invite(
  page: Page,
  email: string,
  role: "owner" | "admin" | "member" | "viewer" = "member",
): Promise<string> {
  await page.goto("/settings/members");
  const form = page.getByRole("form", { name: "Invite someone" });
  await form.getByLabel("Email").fill(email);
  await form.getByLabel("Role").selectOption(role);
  await form.getByRole("button", { name: "Invite" }).click();
  const link = page.getByTestId("invite-link");
  await expect(link).toBeVisible();
  return link.inputValue();
}

/** Accepts an invitation link as someone without an account (in a fresh browser context). */
export async function acceptAsNewUser(page: Page, link: string, name: string) {
  await page.goto(link);
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("Choose a password").fill(newPassword);
  await page.getByRole("button", { name: "Create account and join" }).click();
  await expect(page).toHaveURL(/\/conversations$/);
}

/** Names that only the demo tenants have: none may appear in a new tenant's pages. */
export async function demoTenantMarkers(): Promise<string[]> {
  const admin = adminConnection();
  try {
    const tenants = await admin<
      { name: string }[]
    >`select name from tenants where slug in ('acme-health', 'globex-realty', 'initech-salons')`;
    const agents = await admin<
      { name: string }[]
    >`select a.name from agents a join tenants t on t.id = a.tenant_id where t.slug in ('acme-health', 'globex-realty', 'initech-salons')`;
    const people = await admin<
      { email: string; name: string }[]
    >`select email, name from users where email like '%@acme.test' or email like '%@globex.test' or email like '%@initech.test' or email = 'dana@demo.test'`;
    return [...tenants.map((t) => t.name), ...agents.map((a) => a.name), ...people.flatMap((p) => [p.email, p.name])];
  } finally {
    await admin.end();
  }
}

/**
 * Fails naming the first of `tenant`'s strings found in `body` (HTML as served, rendered DOM, JSON).
 * `except`: text the test itself sent (e.g. the URL), whose identifiers may be echoed back.
 */
export function expectNoDataOf(
  tenant: TenantFingerprint,
  body: string,
  where: string,
  options: { except?: string } = {},
) {
  const leaked = tenant.secrets.find((s) => body.includes(s) && !options.except?.includes(s));
  expect(leaked, `${where} contains ${tenant.slug} data: ${JSON.stringify(leaked)}`).toBeUndefined();
}
