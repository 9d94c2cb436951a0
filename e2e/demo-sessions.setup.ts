import { test } from "@playwright/test";
import { demoUsers, storedSessionFile, type DemoUser } from "./support/demo-users";
import { signInThroughUi } from "./support/sign-in";

/**
 * The setup project (playwright.config.ts) that runs before the browser tests: each demo user signs
 * in through the login form once for the run, and the browser state is stored for `asUser` (support/test).
 */
for (const user of Object.keys(demoUsers) as DemoUser[]) {
  test(`${user} signs in through the UI once for the run; tests take copies of the session with asUser("${user}")`, async ({
    page,
  }) => {
    await signInThroughUi(page, demoUsers[user]);
    await page.context().storageState({ path: storedSessionFile(user) });
  });
}
