import { expect, type Page } from "@playwright/test";

/**
 * Accounts and teams made through the UI by the account, team and audit suites: each test signs up
 * its own users into its own new workspace, so they never share a session with another test.
 */

/** A unique suffix, so tests that create accounts and workspaces never collide (they run in parallel). */
export function unique(label: string): string {
  return `${label}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 7)}`;
}

/** The password of every account a test signs up or accepts an invitation with. */
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
