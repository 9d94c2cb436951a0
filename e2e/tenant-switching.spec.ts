import type { Page } from "@playwright/test";
import { dropPrefetches } from "./support/browser-session";
import { adminConnection } from "./support/database";
import { signInThroughUi } from "./support/sign-in";
import { expect, multiStepFlows, test } from "./support/test";

multiStepFlows();
// These tests are about switching the session's tenant: each signs dana in through the UI for a
// session of its own rather than taking a copy of the stored one.

interface TenantTruth {
  id: string;
  name: string;
  agents: string[];
  members: string[];
}

async function truth(): Promise<Record<string, TenantTruth>> {
  const admin = adminConnection();
  try {
    const result: Record<string, TenantTruth> = {};
    for (const slug of ["acme-health", "globex-realty"]) {
      const [t] = await admin<{ id: string; name: string }[]>`select id, name from tenants where slug = ${slug}`;
      const agents = await admin<{ name: string }[]>`select name from agents where tenant_id = ${t!.id}`;
      const members = await admin<
        { email: string }[]
      >`select u.email from memberships m join users u on u.id = m.user_id where m.tenant_id = ${t!.id}`;
      result[slug] = {
        id: t!.id,
        name: t!.name,
        agents: agents.map((a) => a.name),
        members: members.map((m) => m.email),
      };
    }
    return result;
  } finally {
    await admin.end();
  }
}

async function switchTo(page: Page, name: string) {
  await page.getByTestId("tenant-switcher").click();
  await page
    .getByRole("list", { name: "Your workspaces" })
    .getByRole("button", { name: new RegExp(name) })
    .click();
  await expect(page.getByTestId("tenant-name")).toHaveText(name);
}

async function expectOnly(page: Page, active: TenantTruth, other: TenantTruth) {
  await page.goto("/conversations");
  await expect(page.getByTestId("tenant-name")).toHaveText(active.name);
  await expect(page.getByTestId("conversation-list").locator("li")).toHaveCount(50);
  const conversations = await page.content();
  for (const agent of other.agents.filter((a) => !active.agents.includes(a)))
    expect(conversations).not.toContain(agent);
  expect(active.agents.some((a) => conversations.includes(a))).toBe(true);

  await page.goto("/settings/members");
  const members = page.getByTestId("member-list");
  for (const email of active.members) await expect(members).toContainText(email);
  for (const email of other.members.filter((e) => !active.members.includes(e)))
    await expect(members).not.toContainText(email);
}

test("dana switches between acme-health and globex-realty, and every page shows only the active tenant's data", async ({
  page,
}) => {
  const t = await truth();
  const acme = t["acme-health"]!;
  const globex = t["globex-realty"]!;
  // Control: the two tenants really differ in what the pages show.
  expect(globex.agents.filter((a) => !acme.agents.includes(a)).length).toBeGreaterThan(0);
  expect(globex.members).toContain("bob@globex.test");

  await signInThroughUi(page, "dana@demo.test");
  await expect(page.getByTestId("tenant-name")).toHaveText(acme.name);
  await expectOnly(page, acme, globex);
  // dana is an admin in acme: the audit log is there.
  expect((await page.goto("/settings/audit"))!.status()).toBe(200);

  await switchTo(page, globex.name);
  await expect(page.getByTestId("current-role")).toHaveText("member");
  await expectOnly(page, globex, acme);
  // ... and only a member in globex: no audit log.
  expect((await page.goto("/settings/audit"))!.status()).toBe(403);

  // The switch holds across navigations and reloads (it is in the session), and switches back.
  await page.goto("/settings/members");
  await page.reload();
  await expect(page.getByTestId("tenant-name")).toHaveText(globex.name);
  await switchTo(page, acme.name);
  await expectOnly(page, acme, globex);
});

test("switching from a page with an id lands on the same section in the other tenant, not on the old id", async ({
  page,
}) => {
  await signInThroughUi(page, "dana@demo.test");
  await page.getByTestId("conversation-list").locator("li a").first().click();
  await expect(page).toHaveURL(/\/conversations\/[0-9a-f-]{36}$/);
  await switchTo(page, "Globex Realty");
  await expect(page).toHaveURL(/\/conversations$/);
});

// A request that left before the switch (a link prefetch, another tab's page) and is answered after it
// must not put the old tenant back. The test holds one such answer until the switch has rendered, then
// lets the browser take it in, as a slow server would.
test("an answer to a request sent before the switch does not undo the switch", async ({ page, context }) => {
  // No other prefetches: when answers re-issued the session cookie, one to a prefetch sent after the
  // switch could land after the held answer, put the new session back and hide what the held one did.
  await dropPrefetches(context);
  await signInThroughUi(page, "dana@demo.test");
  await expect(page.getByTestId("tenant-name")).toHaveText("Acme Health");

  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let answered!: () => void;
  const serverAnswered = new Promise<void>((resolve) => (answered = resolve));
  let heldBody = "";
  await page.route(
    "**/settings/members",
    async (route) => {
      const response = await route.fetch(); // reaches the server now, with the cookie from before the switch
      heldBody = await response.text();
      answered();
      await released;
      await route.fulfill({ response });
    },
    { times: 1 },
  );
  // A page request like another tab's (a link prefetch goes through the same middleware).
  const late = page.evaluate(() => fetch("/settings/members").then((r) => r.status));
  await serverAnswered;

  await page.getByTestId("tenant-switcher").click();
  await page
    .getByRole("list", { name: "Your workspaces" })
    .getByRole("button", { name: /Globex Realty/ })
    .click();
  await expect(page.getByTestId("tenant-name")).toHaveText("Globex Realty");

  release();
  expect(await late).toBe(200);
  expect(heldBody, "control: the held answer was made for the session from before the switch").toMatch(
    /data-testid="tenant-name">Acme Health</,
  );
  await page.goto("/conversations");
  await expect(page.getByTestId("tenant-name")).toHaveText("Globex Realty");
});
