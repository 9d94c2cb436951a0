import { acceptAsNewUser, invite, signUp, unique } from "./support/accounts";
import { adminConnection } from "./support/database";
import { submitSignInForm } from "./support/sign-in";
import { expect, multiStepFlows, test } from "./support/test";

multiStepFlows();

test("security events are recorded and shown to owners, with filters and keyset pagination", async ({
  page,
  browser,
}) => {
  const workspace = unique("Audit Co");
  const ownerEmail = await signUp(page, { name: "Audra Owner", workspace });
  // A failed sign-in on the owner's account (in another browser) is recorded in their workspace.
  const context = await browser.newContext();
  const stranger = await context.newPage();
  await submitSignInForm(stranger, ownerEmail, "not-the-password");
  await expect(stranger.locator("form [role=alert]")).toHaveText("Email or password is incorrect.");

  const memberEmail = `${unique("joiner")}@example.test`;
  const link = await invite(page, memberEmail, "member");
  await acceptAsNewUser(stranger, link, "Jo Joiner");
  await page.goto("/settings/members");
  const row = page.getByTestId("member-row").filter({ hasText: "Jo Joiner" });
  await row.getByLabel("Role of Jo Joiner").selectOption("viewer");
  await row.getByRole("button", { name: "Save role" }).click();
  await expect(row.getByRole("status")).toHaveText("Role changed.");

  await page.goto("/settings/audit");
  const table = page.getByTestId("audit-table");
  for (const action of [
    "tenant.created",
    "auth.sign_in",
    "auth.sign_in_failed",
    "member.invited",
    "member.joined",
    "member.role_changed",
  ]) {
    await expect(table.getByRole("cell", { name: action, exact: true }).first(), action).toBeVisible();
  }
  const roleChange = table.getByRole("row").filter({ hasText: "member.role_changed" });
  await expect(roleChange).toContainText("from: member");
  await expect(roleChange).toContainText("to: viewer");

  // Filter by action, then by actor.
  await page.getByLabel("Action").selectOption("member.joined");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page).toHaveURL(/action=member\.joined/);
  await expect(page.getByTestId("audit-row")).toHaveCount(1);
  await expect(page.getByTestId("audit-row")).toContainText("Jo Joiner");
  await page.getByLabel("Action").selectOption("");
  await page.getByLabel("Actor").selectOption({ label: "Audra Owner" });
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(page.getByTestId("audit-row").filter({ hasText: "member.joined" })).toHaveCount(0);
  await expect(page.getByTestId("audit-row").filter({ hasText: "member.invited" })).toHaveCount(1);

  // Date range: an end before the start is refused with a message; a range in the past shows nothing.
  await page.goto("/settings/audit?from=2020-01-02&to=2020-01-01");
  await expect(page.getByText("The end date is before the start date.")).toBeVisible();
  await page.goto("/settings/audit?from=2020-01-01&to=2020-01-31");
  await expect(page.getByText("No events match these filters.")).toBeVisible();
  await context.close();
});

test("the audit log pages through more than one screen without repeating or skipping, keeping the filter", async ({
  page,
}) => {
  const workspace = unique("Busy Co");
  await signUp(page, { workspace });
  const admin = adminConnection();
  try {
    const [tenant] = await admin<{ id: string }[]>`select id from tenants where name = ${workspace}`;
    // 120 events in the same transaction share one timestamp: only the id orders them.
    await admin`insert into audit_events (tenant_id, action, target, metadata)
                select ${tenant!.id}, 'conversations.exported', 'bulk ' || g, '{}'::jsonb from generate_series(1, 120) g`;
  } finally {
    await admin.end();
  }
  await page.goto("/settings/audit?action=conversations.exported");
  const seen: string[] = [];
  for (let pageNumber = 0; pageNumber < 3; pageNumber++) {
    const rows = page.getByTestId("audit-row");
    await expect(rows.first()).toBeVisible();
    seen.push(...(await rows.locator("td:nth-child(4)").allInnerTexts()));
    const next = page.getByTestId("audit-next-page");
    if ((await next.count()) === 0) break;
    const href = (await next.getAttribute("href"))!;
    expect(href).toContain("action=conversations.exported");
    await next.click();
    await expect(page).toHaveURL((url) => `${url.pathname}${url.search}` === href);
  }
  expect(seen).toHaveLength(120);
  expect(new Set(seen).size).toBe(120);
});
