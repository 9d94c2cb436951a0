import type { Browser, Page } from "@playwright/test";
import { acceptAsNewUser, invite, signUp, unique } from "./support/accounts";
import { expect, multiStepFlows, test } from "./support/test";

multiStepFlows();

/** An owner with a fresh workspace, and a second person who joined it through an invitation. */
async function ownerWithMember(page: Page, browser: Browser, role: "owner" | "admin" | "member" | "viewer") {
  const workspace = unique("Team Co");
  await signUp(page, { name: "Olga Owner", workspace });
  const memberEmail = `${unique(role)}@example.test`;
  const link = await invite(page, memberEmail, role);
  const context = await browser.newContext();
  const member = await context.newPage();
  await acceptAsNewUser(member, link, `Max ${role}`);
  await expect(member.getByTestId("tenant-name")).toHaveText(workspace);
  return { workspace, member, memberEmail, memberName: `Max ${role}`, close: () => context.close() };
}

function memberRow(page: Page, name: string) {
  return page.getByTestId("member-row").filter({ hasText: name });
}

async function setRole(page: Page, name: string, role: string) {
  await page.goto("/settings/members");
  const row = memberRow(page, name);
  await row.getByLabel(`Role of ${name}`).selectOption(role);
  await row.getByRole("button", { name: "Save role" }).click();
  await expect(row.getByRole("status")).toHaveText("Role changed.");
}

test("an existing user accepts an invitation and can switch between their workspaces", async ({ page, browser }) => {
  const inviterWorkspace = unique("Inviter Co");
  await signUp(page, { workspace: inviterWorkspace });
  const context = await browser.newContext();
  const other = await context.newPage();
  const ownWorkspace = unique("Own Co");
  const otherEmail = await signUp(other, { name: "Ivy Invitee", workspace: ownWorkspace });

  const link = await invite(page, otherEmail, "member");
  await other.goto(link);
  await expect(other.getByText(`invited ${otherEmail} as`)).toBeVisible();
  await other.getByRole("button", { name: "Accept invitation" }).click();
  await expect(other).toHaveURL(/\/conversations$/);
  await expect(other.getByTestId("tenant-name")).toHaveText(inviterWorkspace);
  await expect(other.getByTestId("current-role")).toHaveText("member");

  // Now in two workspaces: the switcher lists both and changes the active one.
  await other.getByTestId("tenant-switcher").click();
  await other
    .getByRole("list", { name: "Your workspaces" })
    .getByRole("button", { name: new RegExp(ownWorkspace) })
    .click();
  await expect(other.getByTestId("tenant-name")).toHaveText(ownWorkspace);

  // The link is used up.
  await other.goto(link);
  await expect(other.getByText("This invitation has already been accepted.")).toBeVisible();
  await context.close();
});

test("declining and revoking: a used or withdrawn link cannot be accepted", async ({ page, browser }) => {
  await signUp(page, { workspace: unique("Decline Co") });
  const declinedEmail = `${unique("decliner")}@example.test`;
  const revokedEmail = `${unique("revoked")}@example.test`;
  const declineLink = await invite(page, declinedEmail, "viewer");
  const revokeLink = await invite(page, revokedEmail, "member");

  const context = await browser.newContext();
  const visitor = await context.newPage();
  await visitor.goto(declineLink);
  await visitor.getByRole("button", { name: "Decline" }).click();
  await expect(visitor.getByRole("status")).toContainText("You declined the invitation");
  await visitor.goto(declineLink);
  await expect(visitor.getByText("This invitation was declined.")).toBeVisible();
  await expect(visitor.getByRole("button", { name: "Create account and join" })).toHaveCount(0);

  await page.goto("/settings/members");
  const invitations = page.getByTestId("invitation-list");
  await expect(invitations).not.toContainText(declinedEmail);
  await invitations
    .locator("li")
    .filter({ hasText: revokedEmail })
    .getByRole("button", { name: /Revoke/ })
    .click();
  await expect(page.getByText("No pending invitations.")).toBeVisible();
  await visitor.goto(revokeLink);
  await expect(visitor.getByText("This invitation was withdrawn. Ask for a new one.")).toBeVisible();
  await context.close();
});

test("role limits: a member cannot manage members, a viewer cannot write, and the server refuses even a stale form", async ({
  page,
  browser,
}) => {
  const { member, memberName, memberEmail, close } = await ownerWithMember(page, browser, "admin");
  // As admin, the invite form is there.
  await member.goto("/settings/members");
  const form = member.getByRole("form", { name: "Invite someone" });
  await expect(form).toBeVisible();

  // The owner demotes them to member; the form still on their screen is refused by the server.
  await setRole(page, memberName, "member");
  await form.getByLabel("Email").fill(`${unique("someone")}@example.test`);
  await form.getByRole("button", { name: "Invite" }).click();
  await expect(form.getByRole("alert")).toHaveText("A member cannot invite members.");
  await member.reload();
  await expect(member.getByRole("form", { name: "Invite someone" })).toHaveCount(0);
  await expect(member.getByRole("button", { name: /Save role/ })).toHaveCount(0);

  // Viewer: read-only. The stale member list form (loaded as admin earlier) is refused as well.
  await setRole(page, memberName, "admin");
  await member.goto("/settings/members");
  const ownerRow = memberRow(member, "Olga Owner");
  await expect(ownerRow).toBeVisible();
  await setRole(page, memberName, "viewer");
  const staleInvite = member.getByRole("form", { name: "Invite someone" });
  await staleInvite.getByLabel("Email").fill(`${unique("someone")}@example.test`);
  await staleInvite.getByRole("button", { name: "Invite" }).click();
  await expect(staleInvite.getByRole("alert")).toHaveText("A viewer cannot invite members.");
  await member.reload();
  await expect(member.getByTestId("current-role")).toHaveText("viewer");
  const audit = await member.goto("/settings/audit");
  expect(audit!.status()).toBe(403);
  await expect(member.getByRole("heading", { name: "Not allowed" })).toBeVisible();
  await expect(member.getByRole("link", { name: "Audit log" })).toHaveCount(0);

  // Nothing the refused forms submitted was created.
  await page.goto("/settings/members");
  await expect(page.getByTestId("member-list")).toContainText(memberEmail);
  await expect(page.getByText("No pending invitations.")).toBeVisible();
  await close();
});

test("the last owner cannot be demoted, removed or leave; an admin cannot touch an owner", async ({
  page,
  browser,
}) => {
  const { member: second, memberName, close } = await ownerWithMember(page, browser, "owner");
  // Two owners: the second demotes the first to admin.
  await setRole(second, "Olga Owner", "admin");
  // The demoted admin cannot change or remove the remaining owner (no controls; the server refuses too).
  await page.goto("/settings/members");
  await expect(memberRow(page, memberName).getByRole("button", { name: "Save role" })).toHaveCount(0);
  // The last owner cannot leave.
  await second.goto("/settings/members");
  second.once("dialog", (d) => void d.accept());
  await second.getByRole("button", { name: /^Leave / }).click();
  await expect(second.locator("form [role=alert]")).toHaveText(
    "A workspace must keep at least one owner: make someone else an owner first.",
  );
  // Promote the admin back, then the second owner can leave.
  await setRole(second, "Olga Owner", "owner");
  second.once("dialog", (d) => void d.accept());
  await second.getByRole("button", { name: /^Leave / }).click();
  await expect(second).toHaveURL(/\/no-access$/);
  await page.goto("/settings/members");
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  await close();
});

test("a removed member loses access on their next request", async ({ page, browser }) => {
  const { member, memberName, close } = await ownerWithMember(page, browser, "member");
  await page.goto("/settings/members");
  page.once("dialog", (d) => void d.accept());
  await memberRow(page, memberName)
    .getByRole("button", { name: /Remove/ })
    .click();
  await expect(page.getByTestId("member-row")).toHaveCount(1);
  await member.goto("/conversations");
  await expect(member).toHaveURL(/\/no-access$/);
  await close();
});
