import { acceptAsNewUser, invite, newPassword, signUp, unique } from "./support/accounts";
import { submitSignInForm } from "./support/sign-in";
import { demoTenantMarkers } from "./support/tenant-data";
import { expect, multiStepFlows, test } from "./support/test";

multiStepFlows();

test("a new user signs up to an empty workspace, invites a second user who joins it, and neither sees any demo tenant's data", async ({
  page,
  browser,
}) => {
  const markers = await demoTenantMarkers();
  expect(markers.length).toBeGreaterThan(10); // control: the demo data exists and would be recognised
  const workspace = unique("Fresh Co");

  const ownerEmail = await signUp(page, { name: "Olivia Owner", workspace });
  await expect(page.getByText("No conversations yet.")).toBeVisible();
  await expect(page.getByTestId("conversation-list")).toHaveCount(0);
  for (const marker of markers) expect(await page.content()).not.toContain(marker);

  const secondEmail = `${unique("second")}@example.test`;
  const link = await invite(page, secondEmail, "member");
  expect(link).toMatch(/\/invite\/[A-Za-z0-9_-]{40,}$/);
  await expect(page.getByTestId("invitation-list")).toContainText(secondEmail);

  const secondContext = await browser.newContext();
  const second = await secondContext.newPage();
  await second.goto(link);
  await expect(second.getByRole("heading", { name: `Join ${workspace}` })).toBeVisible();
  await acceptAsNewUser(second, link, "Sam Second");
  await expect(second.getByTestId("tenant-name")).toHaveText(workspace);
  await expect(second.getByText("No conversations yet.")).toBeVisible();
  await second.goto("/settings/members");
  const members = second.getByTestId("member-list");
  await expect(members).toContainText(ownerEmail);
  await expect(members).toContainText(secondEmail);
  await expect(second.getByTestId("member-row")).toHaveCount(2);

  for (const p of [page, second]) {
    for (const path of ["/conversations", "/settings/members", "/settings"]) {
      await p.goto(path);
      const html = await p.content();
      for (const marker of markers) expect(html, `${marker} on ${path}`).not.toContain(marker);
    }
  }
  // The owner's member list shows the new member; the used link is not pending any more.
  await page.goto("/settings/members");
  await expect(page.getByTestId("member-list")).toContainText("Sam Second");
  await expect(page.getByText("No pending invitations.")).toBeVisible();
  await secondContext.close();
});

test("sign-up validates on the server with field messages and keeps what was typed", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Val Idation");
  await page.getByLabel("Email").fill("not-an-email");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.getByText("Enter a valid email address.")).toBeVisible();
  await expect(page.getByText("At least 8 characters.", { exact: true })).toBeVisible();
  await expect(page.getByText("Name your workspace.")).toBeVisible();
  await expect(page.getByLabel("Your name")).toHaveValue("Val Idation");
  await expect(page.getByLabel("Email")).toHaveValue("not-an-email");
  await expect(page.getByLabel("Email")).toHaveAttribute("aria-invalid", "true");
});

test("an email that already has an account cannot sign up again", async ({ page }) => {
  await page.goto("/signup");
  await page.getByLabel("Your name").fill("Alice Again");
  await page.getByLabel("Email").fill("alice@acme.test");
  await page.getByLabel("Password").fill(newPassword);
  await page.getByLabel("Workspace name").fill("Another Acme");
  await page.getByRole("button", { name: "Create account" }).click();
  await expect(page.locator("form [role=alert]")).toHaveText(
    "An account with this email already exists. Sign in instead.",
  );
  await expect(page).toHaveURL(/\/signup$/);
});

test("change password: the current one is checked, then only the new one signs in", async ({ page, browser }) => {
  const email = await signUp(page, { workspace: unique("Password Co") });
  await page.goto("/settings");
  const form = page.getByRole("form", { name: "Password" });
  await form.getByLabel("Current password").fill("not-my-password");
  await form.getByLabel("New password", { exact: true }).fill("a-brand-new-secret");
  await form.getByLabel("Repeat the new password").fill("a-brand-new-secret");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("This is not your current password.")).toBeVisible();

  await form.getByLabel("Current password").fill(newPassword);
  await form.getByLabel("New password", { exact: true }).fill("a-brand-new-secret");
  await form.getByLabel("Repeat the new password").fill("a-different-secret");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByText("The two new passwords differ.")).toBeVisible();

  await form.getByLabel("Current password").fill(newPassword);
  await form.getByLabel("New password", { exact: true }).fill("a-brand-new-secret");
  await form.getByLabel("Repeat the new password").fill("a-brand-new-secret");
  await form.getByRole("button", { name: "Change password" }).click();
  await expect(form.getByRole("status")).toHaveText("Password changed. Your other sessions were signed out.");

  // A browser without the session (clearing cookies races with in-flight requests that refresh it).
  const fresh = await (await browser.newContext()).newPage();
  await submitSignInForm(fresh, email, newPassword);
  await expect(fresh.locator("form [role=alert]")).toHaveText("Email or password is incorrect.");
  await submitSignInForm(fresh, email, "a-brand-new-secret");
  await expect(fresh).toHaveURL(/\/conversations$/);
  await fresh.context().close();
});

test("repeated failed sign-ins are slowed down per account, with the same answer for unknown emails", async ({
  page: owner,
  browser,
}) => {
  test.setTimeout(240_000); // twelve bcrypt sign-ins
  const email = await signUp(owner, { workspace: unique("Throttle Co") });
  const page = await (await browser.newContext()).newPage();
  const unknown = `${unique("nobody")}@example.test`;
  for (const target of [email, unknown]) {
    for (let attempt = 1; attempt <= 5; attempt++) {
      await submitSignInForm(page, target, "wrong-password");
      await expect(page.locator("form [role=alert]")).toHaveText("Email or password is incorrect.");
    }
    // Now even the right password is not checked until the wait is over.
    await submitSignInForm(page, target, newPassword);
    await expect(page.locator("form [role=alert]")).toHaveText(
      /^Too many failed sign-ins\. Try again in \d+ seconds\.$/,
    );
  }
  await expect(page).toHaveURL(/\/login/);
});

test("signed out, only sign-in, sign-up and invitation pages are reachable", async ({ page }) => {
  for (const path of ["/conversations", "/settings", "/settings/members", "/settings/audit", "/admin", "/no-access"]) {
    await page.goto(path);
    await expect(page, path).toHaveURL(/\/login\?callbackUrl=/);
  }
  await page.goto("/signup");
  await expect(page.getByRole("heading", { name: "Create an account" })).toBeVisible();
  // An unknown invitation link is a plain 404, not a redirect to sign in.
  const response = await page.goto("/invite/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
  expect(response!.status()).toBe(404);
});

test("after signing in from a redirect, the user lands on the page they asked for", async ({ page }) => {
  await page.goto("/settings/members");
  await expect(page).toHaveURL(/callbackUrl=/);
  await page.getByLabel("Email").fill("alice@acme.test");
  await page.getByLabel("Password").fill("demo-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page).toHaveURL(/\/settings\/members$/);
});

test("dark mode: the header toggle switches the theme and it is remembered", async ({ page }) => {
  await signUp(page, { workspace: unique("Theme Co") });
  const html = page.locator("html");
  const toggle = page.getByRole("button", { name: "Dark mode" });
  // aria-pressed appears once the toggle has hydrated and read the current theme.
  await expect(toggle).toHaveAttribute("aria-pressed", /^(true|false)$/);
  const startsDark = ((await html.getAttribute("class")) ?? "").includes("dark");
  await toggle.click();
  await expect(html).toHaveClass(startsDark ? /^(?!.*\bdark\b).*$/ : /\bdark\b/);
  await page.reload();
  await expect(html).toHaveClass(startsDark ? /^(?!.*\bdark\b).*$/ : /\bdark\b/);
  await expect(toggle).toHaveAttribute("aria-pressed", startsDark ? "false" : "true");
  // Keyboard: the toggle is reachable and works with Enter.
  await page.getByRole("button", { name: "Dark mode" }).focus();
  await page.keyboard.press("Enter");
  await expect(html).toHaveClass(startsDark ? /\bdark\b/ : /^(?!.*\bdark\b).*$/);
});
