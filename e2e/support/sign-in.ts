import { expect, type Browser, type BrowserContext, type Page } from "@playwright/test";
import { demoPassword } from "./demo-users";

/** Signing in through the login form, as a person does. */

/** Fills in and sends the login form; the caller checks the outcome (an error, a throttle, a redirect). */
export async function submitSignInForm(page: Page, email: string, password: string, origin = "") {
  await page.goto(`${origin}/login`);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
}

/**
 * Signs in through the login form and waits for the conversations page it lands on. The wait is
 * generous: on a busy machine bcrypt in the database plus the first render can take many seconds.
 * `origin`: another app server than the one under test (e2e/ask.spec.ts starts a second one).
 */
export async function signInThroughUi(page: Page, email: string, options: { password?: string; origin?: string } = {}) {
  await submitSignInForm(page, email, options.password ?? demoPassword, options.origin);
  await expect(page).toHaveURL(/\/conversations$/, { timeout: 30_000 });
}

/** A new browser context with a session of its own, from a sign-in through the login form. */
export async function newContextSignedInThroughUi(
  browser: Browser,
  email: string,
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInThroughUi(page, email);
  return { context, page };
}
