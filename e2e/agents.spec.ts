import { adminConnection } from "./support/database";
import { createWorkspace } from "./support/scratch-workspaces";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

test("the agents list shows each agent of the tenant with its conversation count", async ({ asUser }) => {
  const admin = adminConnection();
  try {
    const truth = await admin<{ id: string; name: string; n: number }[]>`
      select a.id, a.name, (select count(*)::int from conversations c where c.tenant_id = a.tenant_id and c.agent_id = a.id) as n
      from agents a join tenants t on t.id = a.tenant_id and t.slug = 'acme-health' order by a.name`;
    const page = await asUser("alice");
    await page.goto("/conversations");
    await page.getByRole("link", { name: "Agents", exact: true }).click();
    await expect(page).toHaveURL(/\/agents$/);
    const rows = page.getByTestId("agent-table").locator("tbody tr");
    await expect(rows).toHaveCount(truth.length);
    for (const agent of truth) {
      const row = page.locator(`tr[data-agent-id="${agent.id}"]`);
      await expect(row.getByRole("rowheader")).toHaveText(agent.name);
      await expect(row.locator("td").nth(3)).toHaveText(String(agent.n));
    }
  } finally {
    await admin.end();
  }
});

test("an admin creates, renames, disables and enables an agent; duplicate and invalid names get field messages", async ({
  page,
}) => {
  test.slow(); // a long multi-step flow: three times the default timeout on a busy machine
  const workspace = await createWorkspace({ role: "admin", agents: ["Existing Agent"] });
  try {
    await signInThroughUi(page, workspace.email);
    await page.goto("/agents");
    await page.getByRole("link", { name: "New agent" }).click();
    await expect(page).toHaveURL(/\/agents\/new$/);

    // Invalid input: a message at each field, nothing lost.
    await page.getByLabel("Name").fill("X");
    await page.getByRole("button", { name: "Create agent" }).click();
    const name = page.getByLabel("Name");
    await expect(name).toHaveAttribute("aria-invalid", "true");
    await expect(page.getByText("Give the agent a name of at least 2 characters.")).toBeVisible();
    await expect(
      page.getByText("Describe the line of business in at least 2 characters (e.g. healthcare)."),
    ).toBeVisible();
    await expect(name).toHaveValue("X");

    // The name is unique per tenant.
    await name.fill("Existing Agent");
    await page.getByLabel("Line of business").fill("dentistry");
    await page.getByRole("button", { name: "Create agent" }).click();
    await expect(page.getByText('An agent named "Existing Agent" already exists.')).toBeVisible();
    await expect(page.getByLabel("Line of business")).toHaveValue("dentistry");

    await name.fill("Night Line");
    await page.getByLabel("Channel").selectOption("chat");
    await page.getByRole("button", { name: "Create agent" }).click();
    await expect(page).toHaveURL(/\/agents\/[0-9a-f-]{36}\?created=1$/);
    await expect(page.getByRole("status")).toHaveText("Agent Night Line created.");
    await expect(page.getByTestId("agent-name")).toHaveText("Night Line");

    const rename = page.getByRole("form", { name: "Rename agent" });
    await rename.getByLabel("Name").fill("Existing Agent");
    await rename.getByRole("button", { name: "Rename" }).click();
    await expect(rename.getByText('An agent named "Existing Agent" already exists.')).toBeVisible();
    await rename.getByLabel("Name").fill("Night Line 2");
    await rename.getByRole("button", { name: "Rename" }).click();
    await expect(rename.getByRole("status")).toHaveText("Renamed to Night Line 2.");
    await expect(page.getByTestId("agent-name")).toHaveText("Night Line 2");

    await page.getByRole("button", { name: "Disable agent" }).click();
    await expect(page.getByRole("button", { name: "Enable agent" })).toBeVisible();
    await page.goto("/agents");
    const row = page.getByRole("row", { name: /Night Line 2/ });
    await expect(row).toContainText("Disabled");
    await expect(row).toContainText("chat");
    await row.getByRole("link", { name: "Night Line 2", exact: true }).click();
    await page.getByRole("button", { name: "Enable agent" }).click();
    await expect(page.getByRole("button", { name: "Disable agent" })).toBeVisible();

    // Keyboard only: the create form can be filled and sent without a mouse.
    await page.goto("/agents/new");
    await page.getByLabel("Name").focus();
    await page.keyboard.type("Keyboard Agent");
    await page.keyboard.press("Tab");
    await page.keyboard.press("Tab");
    await page.keyboard.type("retail");
    await page.keyboard.press("Escape"); // closes the suggestions list, if open
    await page.keyboard.press("Enter");
    await expect(page.getByTestId("agent-name")).toHaveText("Keyboard Agent");
  } finally {
    await workspace.remove();
  }
});

test("members and viewers see agents but cannot change them; a role lost mid-form is refused by the server action", async ({
  page,
}) => {
  test.slow(); // a long multi-step flow: three times the default timeout on a busy machine
  const workspace = await createWorkspace({ role: "admin", agents: ["Kept Agent"] });
  const admin = adminConnection();
  try {
    await signInThroughUi(page, workspace.email);
    await page.goto("/agents/new");
    await page.getByLabel("Name").fill("Sneaky Agent");
    await page.getByLabel("Line of business").fill("retail");
    await workspace.setRole("member");
    await page.getByRole("button", { name: "Create agent" }).click();
    await expect(page.locator("main").getByRole("alert")).toHaveText("A member cannot create agents.");
    await expect(page.getByLabel("Name")).toHaveValue("Sneaky Agent");
    const [created] = await admin<
      { n: number }[]
    >`select count(*)::int as n from agents where tenant_id = ${workspace.tenantId} and name = 'Sneaky Agent'`;
    expect(created!.n).toBe(0);

    await page.goto(`/agents/${workspace.agentIds[0]}`);
    await expect(page.getByText("Owners and admins can rename and disable agents.")).toBeVisible();
    await expect(page.getByRole("button", { name: "Disable agent" })).toHaveCount(0);

    await workspace.setRole("viewer");
    await page.goto("/agents");
    await expect(page.getByRole("link", { name: "New agent" })).toHaveCount(0);
    await expect(page.getByText("Owners and admins can add and change agents.")).toBeVisible();
    await page.goto("/agents/new");
    await expect(page.locator("main").getByRole("alert")).toContainText(
      "Only owners and admins can create agents; you are a viewer",
    );
    await expect(page.getByRole("button", { name: "Create agent" })).toHaveCount(0);
  } finally {
    await admin.end();
    await workspace.remove();
  }
});
