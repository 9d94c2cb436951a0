import { existsSync } from "node:fs";
import {
  test as base,
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  type Page,
} from "@playwright/test";
import { hasSessionCookie } from "./browser-session";
import { storedSessionFile, type DemoUser } from "./demo-users";

export { expect } from "@playwright/test";

/**
 * `test` for every spec: Playwright's, plus `asUser`.
 *
 * Each demo user signs in through the UI once per run (e2e/demo-sessions.setup.ts, the setup project
 * the browser tests depend on). `asUser("alice")` opens a new browser context holding a copy of that
 * session and returns a page in it; the context is closed after the test. Copies are shared by every
 * test of the run, so a test that signs out, changes the password, or is about the sign-in itself
 * must not use one: it signs in through the UI (./sign-in). Once sessions can be revoked on the
 * server, signing out in a copy would end it for every test holding one. As a guard, a test that
 * leaves a copy without its session cookie (it signed out) fails.
 *
 * Tenant switching rewrites the cookie only in the context that switched, never the stored state,
 * and the app never re-issues the cookie on its own (middleware.ts).
 */
export type AsUser = (user: DemoUser, options?: BrowserContextOptions) => Promise<Page>;

export const test = base.extend<{ asUser: AsUser }>({
  asUser: async ({ browser }, use) => {
    const opened: { user: DemoUser; context: BrowserContext }[] = [];
    await use(async (user, options) => {
      const page = await openStoredSession(browser, user, options);
      opened.push({ user, context: page.context() });
      return page;
    });
    const signedOut: DemoUser[] = [];
    for (const { user, context } of opened) {
      if (!(await hasSessionCookie(context))) signedOut.push(user);
      await context.close();
    }
    if (signedOut.length > 0) {
      throw new Error(
        `this test left ${signedOut.join(", ")}'s shared session without its cookie (signed out?): ` +
          `a test that signs out signs in through the UI first (newContextSignedInThroughUi in e2e/support/sign-in.ts)`,
      );
    }
  },
});

/**
 * A new browser context holding a copy of `user`'s stored session, for hooks that cannot use the
 * `asUser` fixture (beforeAll); the caller closes it. The same rules as for `asUser` apply.
 */
export async function openStoredSession(
  browser: Browser,
  user: DemoUser,
  options: BrowserContextOptions = {},
): Promise<Page> {
  const file = storedSessionFile(user);
  if (!existsSync(file)) {
    throw new Error(
      `${file} is missing: the "demo-sessions" setup project signs the demo users in before the browser tests (npm test runs it)`,
    );
  }
  const context = await browser.newContext({ ...options, storageState: file });
  return context.newPage();
}

/** Call at the top of a spec file whose tests walk through several pages, users and actions. */
export function multiStepFlows() {
  test.beforeEach(() => test.setTimeout(180_000));
}
