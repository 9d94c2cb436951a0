import type { Page } from "@playwright/test";
import { parseCsv } from "./support/csv";
import { adminConnection } from "./support/database";
import { forgeHiddenInputs } from "./support/forged-forms";
import { createWorkspace } from "./support/scratch-workspaces";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

/**
 * Another tenant's real ids (read through the BYPASSRLS admin connection, which is also the control
 * showing they exist) on every URL, action and export of the data features: each answers like a
 * missing id and shows none of the other tenant's data.
 */
async function globexSample() {
  const admin = adminConnection();
  try {
    const [agent] = await admin<{ id: string; name: string; disabled_at: Date | null }[]>`
      select a.id, a.name, a.disabled_at from agents a join tenants t on t.id = a.tenant_id and t.slug = 'globex-realty'
      where a.name not in (select a2.name from agents a2 join tenants t2 on t2.id = a2.tenant_id and t2.slug <> 'globex-realty')
      order by a.name limit 1`;
    const [conversation] = await admin<{ id: string; started_at: Date; summary: string; caller: string }[]>`
      select c.id, c.started_at, split_part(c.summary, E'\\n', 1) as summary, c.caller from conversations c
      join tenants t on t.id = c.tenant_id and t.slug = 'globex-realty' where c.agent_id = ${agent!.id}
      order by c.started_at desc limit 1`;
    return { agent: agent!, conversation: conversation! };
  } finally {
    await admin.end();
  }
}

/** The page's text once the 404 heading has rendered (the body can still be empty right after load). */
async function bodyText(page: Page) {
  await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
  return page.locator("body").innerText();
}

test("another tenant's agent page is the same 404 as a missing one", async ({ asUser }) => {
  const globex = await globexSample();
  const page = await asUser("alice");
  const foreign = await page.goto(`/agents/${globex.agent.id}`);
  expect(foreign!.status()).toBe(404);
  const foreignText = await bodyText(page);
  expect(foreignText).not.toContain(globex.agent.name);
  const missing = await page.goto("/agents/00000000-0000-4000-8000-000000000000");
  expect(missing!.status()).toBe(404);
  expect(await bodyText(page)).toBe(foreignText);
  expect((await page.goto("/agents/not-a-uuid"))!.status()).toBe(404);
});

test("rename and disable actions given another tenant's agent id are refused and change nothing", async ({ page }) => {
  test.slow(); // a long multi-step flow: three times the default timeout on a busy machine
  const globex = await globexSample();
  const workspace = await createWorkspace({ role: "owner", agents: ["Own Agent"] });
  const admin = adminConnection();
  try {
    await signInThroughUi(page, workspace.email);
    await page.goto(`/agents/${workspace.agentIds[0]}`);
    // The attacker edits the hidden agent id of their own forms.
    await forgeHiddenInputs(page.locator("input[type=hidden][name=agentId]"), globex.agent.id);
    const rename = page.getByRole("form", { name: "Rename agent" });
    await rename.getByLabel("Name").fill("Hijacked");
    await rename.getByRole("button", { name: "Rename" }).click();
    await expect(rename.getByRole("alert")).toHaveText("That agent does not exist in this workspace.");

    await forgeHiddenInputs(page.locator("input[type=hidden][name=agentId]"), globex.agent.id);
    await page.getByRole("button", { name: "Disable agent" }).click();
    await expect(page.getByRole("form", { name: "Disable agent" }).getByRole("alert")).toHaveText(
      "That agent does not exist in this workspace.",
    );

    // Control: the id is real, and the other tenant's agent is untouched.
    const [after] = await admin<
      { name: string; disabled_at: Date | null }[]
    >`select name, disabled_at from agents where id = ${globex.agent.id}`;
    expect(after).toEqual({ name: globex.agent.name, disabled_at: globex.agent.disabled_at });
    const [own] = await admin<
      { name: string; disabled_at: Date | null }[]
    >`select name, disabled_at from agents where id = ${workspace.agentIds[0]!}`;
    expect(own).toEqual({ name: "Own Agent", disabled_at: null });
  } finally {
    await admin.end();
    await workspace.remove();
  }
});

test("another tenant's agent id as a list filter is an unknown agent: a field message and no rows", async ({
  asUser,
}) => {
  const globex = await globexSample();
  const page = await asUser("alice");
  await page.goto(`/conversations?agent=${globex.agent.id}`);
  await expect(page.getByText("No such agent in this workspace.")).toBeVisible();
  await expect(page.getByTestId("conversation-list")).toHaveCount(0);
  const html = await page.content();
  for (const secret of [globex.agent.name, globex.conversation.summary, globex.conversation.caller])
    expect(html).not.toContain(secret);
});

test("a keyset cursor made from another tenant's conversation only positions the list", async ({ asUser }) => {
  const globex = await globexSample();
  const admin = adminConnection();
  try {
    const cursor = Buffer.from(
      `${globex.conversation.started_at.toISOString()}|${globex.conversation.id}`,
      "utf8",
    ).toString("base64url");
    const page = await asUser("alice");
    await page.goto(`/conversations?after=${cursor}`);
    const ids = await page
      .getByTestId("conversation-list")
      .locator("li")
      .evaluateAll((els) => els.map((e) => e.getAttribute("data-conversation-id")!));
    expect(ids.length).toBeGreaterThan(0);
    const owners = await admin<
      { slug: string }[]
    >`select distinct t.slug from conversations c join tenants t on t.id = c.tenant_id where c.id in ${admin(ids)}`;
    expect(owners.map((o) => o.slug)).toEqual(["acme-health"]);
    expect(ids).not.toContain(globex.conversation.id);
    expect(await page.content()).not.toContain(globex.conversation.summary);
  } finally {
    await admin.end();
  }
});

test("the export with another tenant's agent id is a 404 without data; a search export holds only own rows", async ({
  asUser,
}) => {
  const globex = await globexSample();
  const admin = adminConnection();
  try {
    const page = await asUser("alice");
    const foreign = await page.request.get(`/conversations/export?agent=${globex.agent.id}`);
    expect(foreign.status()).toBe(404);
    const body = await foreign.text();
    expect(JSON.parse(body)).toEqual({ error: { code: "not_found", message: "No such agent in this workspace." } });

    const exported = await page.request.get(`/conversations/export?q=${encodeURIComponent('"refund request"')}`);
    expect(exported.status()).toBe(200);
    const ids = parseCsv(await exported.text())
      .slice(1)
      .map((r) => r[0]!);
    expect(ids.length).toBeGreaterThan(0);
    const owners = await admin<
      { slug: string }[]
    >`select distinct t.slug from conversations c join tenants t on t.id = c.tenant_id where c.id in ${admin(ids)}`;
    expect(owners.map((o) => o.slug)).toEqual(["acme-health"]);
    // Control: the phrase is in globex too.
    const [control] = await admin<{ n: number }[]>`
      select count(*)::int as n from conversations c join tenants t on t.id = c.tenant_id and t.slug = 'globex-realty'
      where c.search @@ websearch_to_tsquery('pg_catalog.english', '"refund request"')`;
    expect(control!.n).toBeGreaterThan(0);
  } finally {
    await admin.end();
  }
});

test("the overview and agents pages show none of another tenant's agents", async ({ asUser }) => {
  const globex = await globexSample();
  const page = await asUser("alice");
  for (const path of ["/overview", "/agents"]) {
    await page.goto(path);
    const html = await page.content();
    expect(html).not.toContain(globex.agent.name);
    expect(html).not.toContain(globex.agent.id);
  }
});
