import { adminConnection } from "./support/database";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

test("a signed-out visit to /conversations lands on /login", async ({ page }) => {
  await page.goto("/conversations");
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
});

test("wrong password and unknown email get the same answer", async ({ page }) => {
  for (const email of ["alice@acme.test", "nobody@acme.test"]) {
    await page.goto("/login");
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill("wrong-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.locator("form [role=alert]")).toHaveText("Email or password is incorrect.");
  }
});

test("alice signs in and sees acme-health's conversations only", async ({ page }) => {
  const admin = adminConnection();
  try {
    const [acme] = await admin<{ id: string; name: string }[]>`select id, name from tenants where slug = 'acme-health'`;
    const acmeAgents = (await admin<{ name: string }[]>`select name from agents where tenant_id = ${acme!.id}`).map(
      (a) => a.name,
    );
    const otherAgents = (await admin<{ name: string }[]>`select name from agents where tenant_id <> ${acme!.id}`).map(
      (a) => a.name,
    );
    const [newest] = await admin<{ summary: string }[]>`
      select split_part(summary, E'\\n', 1) as summary from conversations where tenant_id = ${acme!.id} order by started_at desc, id desc limit 1`;

    await signInThroughUi(page, "alice@acme.test");
    await expect(page.getByTestId("tenant-name")).toHaveText(acme!.name);
    const items = page.getByTestId("conversation-list").locator("li");
    await expect(items).toHaveCount(50);
    await expect(items.first()).toContainText(newest!.summary);

    const html = await page.content();
    for (const name of otherAgents.filter((n) => !acmeAgents.includes(n))) expect(html).not.toContain(name);

    // Keyset pagination: the second page continues where the first stopped.
    const firstPageLast = await items.last().innerText();
    await page.getByTestId("next-page").click();
    await expect(page).toHaveURL(/after=/);
    await expect(items.first()).not.toHaveText(firstPageLast);

    // The rows are plain anchors in a LinkList: a click with a modifier is the browser's (a new tab) …
    const [tab] = await Promise.all([
      page.context().waitForEvent("page"),
      items
        .nth(1)
        .locator("a")
        .click({ modifiers: ["ControlOrMeta"] }),
    ]);
    await expect(tab).toHaveURL(/\/conversations\/[0-9a-f-]{36}$/);
    await tab.close();
    await expect(page).toHaveURL(/after=/);
    // … pointing at a row prefetches it (an RSC request for its page) …
    const first = items.first().locator("a");
    const href = (await first.getAttribute("href"))!;
    const prefetch = page.waitForRequest((r) => r.url().includes(href) && r.headers()["rsc"] === "1");
    await first.hover();
    await prefetch;
    // … and a plain click navigates within the page, without loading a new document.
    await page.evaluate(() => Reflect.set(window, "sameDocument", true));
    await first.click();
    await expect(page.getByTestId("transcript").locator("li").first()).toBeVisible();
    expect(await page.evaluate(() => Reflect.get(window, "sameDocument") === true)).toBe(true);
  } finally {
    await admin.end();
  }
});

test("alice opening a globex-realty conversation gets the same 404 as a missing or malformed id", async ({
  asUser,
}) => {
  const admin = adminConnection();
  try {
    const [globex] = await admin<{ id: string; summary: string; text: string; caller: string }[]>`
      select c.id, c.summary, c.caller, t.text from conversations c
      join tenants tn on tn.id = c.tenant_id and tn.slug = 'globex-realty'
      join conversation_turns t on t.tenant_id = c.tenant_id and t.conversation_id = c.id and t.position = 1
      order by c.started_at desc limit 1`;
    const page = await asUser("alice");

    const foreign = await page.goto(`/conversations/${globex!.id}`);
    expect(foreign!.status()).toBe(404);
    const foreignHtml = await page.content();
    await expect(page.getByRole("heading", { name: "Page not found" })).toBeVisible();
    for (const secret of [globex!.summary.split("\n")[0]!, globex!.text, globex!.caller])
      expect(foreignHtml).not.toContain(secret);

    const missing = await page.goto("/conversations/00000000-0000-4000-8000-000000000000");
    expect(missing!.status()).toBe(404);
    const malformed = await page.goto("/conversations/not-a-uuid");
    expect(malformed!.status()).toBe(404);
    // What a person sees is identical for another tenant's id and a non-existent one.
    await page.goto(`/conversations/${globex!.id}`);
    const foreignText = await page.locator("body").innerText();
    await page.goto("/conversations/00000000-0000-4000-8000-000000000000");
    expect(await page.locator("body").innerText()).toBe(foreignText);
  } finally {
    await admin.end();
  }
});
