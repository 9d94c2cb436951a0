import type { Page } from "@playwright/test";
import { adminConnection } from "./support/database";
import { forgeHiddenInputs } from "./support/forged-forms";
import { demoUsers } from "./support/demo-users";
import { newContextSignedInThroughUi, signInThroughUi } from "./support/sign-in";
import { expect, multiStepFlows, test } from "./support/test";

/**
 * The cross-tenant leak idea for the account and team surfaces: alice (acme-health owner) uses
 * globex-realty's real ids on every new page and action. Each case checks that nothing of globex is
 * shown or changed, paired with a control read through the BYPASSRLS role proving the row exists.
 */
multiStepFlows();

/** Remove asks for confirmation: say yes. */
function acceptingDialogs(page: Page): Page {
  page.on("dialog", (d) => void d.accept());
  return page;
}

interface Globex {
  tenantId: string;
  tenantName: string;
  bobId: string;
  invitationId: string;
  invitationEmail: string;
}

async function globexIds(): Promise<Globex> {
  const admin = adminConnection();
  try {
    const [t] = await admin<{ id: string; name: string }[]>`select id, name from tenants where slug = 'globex-realty'`;
    const [bob] = await admin<{ id: string; role: string }[]>`
      select u.id, m.role from users u join memberships m on m.user_id = u.id and m.tenant_id = ${t!.id} where u.email = 'bob@globex.test'`;
    const [invitation] = await admin<{ id: string; email: string }[]>`
      select id, email from invitations where tenant_id = ${t!.id} and status = 'pending' order by created_at limit 1`;
    // Controls: these rows exist, so a refusal below is the defence working, not a missing row.
    expect(bob?.role).toBe("owner");
    expect(invitation).toBeDefined();
    return {
      tenantId: t!.id,
      tenantName: t!.name,
      bobId: bob!.id,
      invitationId: invitation!.id,
      invitationEmail: invitation!.email,
    };
  } finally {
    await admin.end();
  }
}

/** Submits a real form of the page with one hidden id replaced: what a forged request would send. */
async function submitForged(
  page: Page,
  form: ReturnType<Page["locator"]>,
  field: string,
  value: string,
  button: RegExp,
) {
  await forgeHiddenInputs(form.locator(`input[name="${field}"]`), value);
  await form.getByRole("button", { name: button }).click();
}

async function globexState(g: Globex) {
  const admin = adminConnection();
  try {
    const [bob] = await admin<
      { role: string }[]
    >`select role from memberships where tenant_id = ${g.tenantId} and user_id = ${g.bobId}`;
    const [invitation] = await admin<
      { status: string }[]
    >`select status from invitations where tenant_id = ${g.tenantId} and id = ${g.invitationId}`;
    return { bobRole: bob?.role, invitationStatus: invitation?.status };
  } finally {
    await admin.end();
  }
}

test("member actions with another tenant's user ids change nothing there and reveal nothing", async ({ asUser }) => {
  const g = await globexIds();
  const page = acceptingDialogs(await asUser("alice"));
  await page.goto("/settings/members");
  const danaRow = page.getByTestId("member-row").filter({ hasText: "dana@demo.test" });

  const roleForm = danaRow.locator("form").filter({ has: page.getByRole("button", { name: "Save role" }) });
  await roleForm.getByRole("combobox").selectOption("viewer");
  await submitForged(page, roleForm, "userId", g.bobId, /Save role/);
  await expect(roleForm.getByRole("alert")).toHaveText("No such member in this workspace.");

  const removeForm = danaRow.locator("form").filter({ has: page.getByRole("button", { name: /Remove/ }) });
  await submitForged(page, removeForm, "userId", g.bobId, /Remove/);
  await expect(removeForm.getByRole("alert")).toHaveText("No such member in this workspace.");

  expect(await globexState(g)).toEqual({ bobRole: "owner", invitationStatus: "pending" });
  const html = await page.content();
  for (const secret of ["bob@globex.test", "Bob Brooks", g.tenantName]) expect(html).not.toContain(secret);
  // Dana (the form's real target) was not touched either.
  await page.reload();
  await expect(
    page.getByTestId("member-row").filter({ hasText: "dana@demo.test" }).getByTestId("member-role"),
  ).toHaveText("admin");
});

test("revoking another tenant's invitation by id is refused and leaves it pending", async ({ asUser }) => {
  const g = await globexIds();
  const page = acceptingDialogs(await asUser("alice"));
  await page.goto("/settings/members");
  const revokeForm = page.getByTestId("invitation-list").locator("form").first();
  await submitForged(page, revokeForm, "invitationId", g.invitationId, /Revoke/);
  await expect(revokeForm.getByRole("alert")).toHaveText("No such pending invitation in this workspace.");
  expect((await globexState(g)).invitationStatus).toBe("pending");
  expect(await page.content()).not.toContain(g.invitationEmail);
});

test("switching to a tenant one is not a member of is a 404, through the form or the session endpoint", async ({
  page,
  browser,
}) => {
  const g = await globexIds();
  const admin = adminConnection();
  const [initech] = await admin<{ id: string }[]>`select id from tenants where slug = 'initech-salons'`;
  await admin.end();
  expect(initech).toBeDefined(); // control: the tenant exists

  // dana's switcher form, with initech's id (dana is not a member there) in place of globex's. Both
  // sessions here are switched (or asked to switch): each signs in through the UI for a session of its own.
  acceptingDialogs(page);
  await signInThroughUi(page, demoUsers.dana);
  await page.getByTestId("tenant-switcher").click();
  const globexForm = page
    .getByRole("list", { name: "Your workspaces" })
    .locator("form")
    .filter({ hasText: g.tenantName });
  await submitForged(page, globexForm, "tenantId", initech!.id, new RegExp(g.tenantName));
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  await page.goto("/conversations");
  await expect(page.getByTestId("tenant-name")).toHaveText("Acme Health");
  expect(await page.content()).not.toContain("Initech Salons");

  // The session endpoint (a client-side update()) is untrusted input: the JWT callback checks membership.
  const { page: alice } = await newContextSignedInThroughUi(browser, demoUsers.alice);
  const csrf = (await (await alice.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  const update = await alice.request.post("/api/auth/session", {
    data: { csrfToken: csrf.csrfToken, data: { activeTenantId: g.tenantId } },
  });
  expect(update.status()).toBeLessThan(500);
  await alice.goto("/conversations");
  await expect(alice.getByTestId("tenant-name")).toHaveText("Acme Health");
  expect(await alice.content()).not.toContain(g.tenantName);
  await alice.context().close();

  // Control: the same request from dana (already signed in above), a member of globex, does switch.
  const danaCsrf = (await (await page.request.get("/api/auth/csrf")).json()) as { csrfToken: string };
  await page.request.post("/api/auth/session", {
    data: { csrfToken: danaCsrf.csrfToken, data: { activeTenantId: g.tenantId } },
  });
  await page.goto("/conversations");
  await expect(page.getByTestId("tenant-name")).toHaveText(g.tenantName);
});

test("the audit log filtered by another tenant's user shows nothing of theirs", async ({ asUser }) => {
  const g = await globexIds();
  const admin = adminConnection();
  try {
    await admin`insert into audit_events (tenant_id, actor_user_id, action, target) values (${g.tenantId}, ${g.bobId}, 'member.invited', 'globex-secret-target@globex.test')`;
    const [control] = await admin<
      { n: number }[]
    >`select count(*)::int as n from audit_events where actor_user_id = ${g.bobId}`;
    expect(control!.n).toBeGreaterThan(0);
  } finally {
    await admin.end();
  }
  const page = acceptingDialogs(await asUser("alice"));
  await page.goto(`/settings/audit?actor=${g.bobId}`);
  await expect(page.getByText("No events match these filters.")).toBeVisible();
  await page.goto("/settings/audit?action=member.invited");
  expect(await page.content()).not.toContain("globex-secret-target@globex.test");
});

test("the platform admin page is a 404 for a tenant owner, with no other tenant's name in it", async ({ asUser }) => {
  const page = acceptingDialogs(await asUser("alice"));
  const response = await page.goto("/admin");
  expect(response!.status()).toBe(404);
  const html = await page.content();
  for (const name of ["Globex Realty", "Initech Salons", "globex-realty"]) expect(html).not.toContain(name);
});
