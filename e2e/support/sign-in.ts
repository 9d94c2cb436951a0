import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { demoPassword } from "./demo-users";

/**
 * Signing in through the login form, as a person does. Tests that only need a demo user's session
 * take a copy of the one stored for the run (`asUser` in ./test); these are for the tests whose
 * subject is the sign-in or the session itself (signing in and out, throttling, tenant switching,
 * changing a password), and for users made by a test (scratch workspaces, new members).
 */

/** Fills in and sends the login form; the caller checks the outcome (an error, a throttle, a redirect). */
export async function submitSignInForm(page: Page, email: string, password: string) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Signs in through the login form and waits for the conversations page it lands on. The wait is
 * generous: on a busy machine bcrypt in the database plus the first render can take many seconds.
 */
export async function signInThroughUi(page: Page, email: string, password = demoPassword) {
  await submitSignInForm(page, email, password);
  await expect(page).toHaveURL(/\/conversations$/, { timeout: 30_000 });
}

/**
 * A new browser context with a session of its own, from a sign-in through the login form: for a test
 * that signs out, changes the password or otherwise ends or rewrites the session it holds.
 */
export async function newContextSignedInThroughUi(
  browser: Browser,
  email: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughUi(page, email);
  return { context, page };
}
