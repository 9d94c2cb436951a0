import { expect as baseExpect, test, type Page } from "@playwright/test";

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
export async function invite(page: Page, email: string, role: "owner" | "admin" | "member" | "viewer" = "member"): Promise<string> {
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
    const tenants = await admin<{ name: string }[]>`select name from tenants where slug in ('acme-health', 'globex-realty', 'initech-salons')`;
    const agents = await admin<{ name: string }[]>`select a.name from agents a join tenants t on t.id = a.tenant_id where t.slug in ('acme-health', 'globex-realty', 'initech-salons')`;
    const people = await admin<{ email: string; name: string }[]>`select email, name from users where email like '%@acme.test' or email like '%@globex.test' or email like '%@initech.test' or email = 'dana@demo.test'`;
    return [...tenants.map((t) => t.name), ...agents.map((a) => a.name), ...people.flatMap((p) => [p.email, p.name])];
  } finally {
    await admin.end();
  }
}
