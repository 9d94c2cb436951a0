import { bearer } from "./support/api-clients";
import { expect, test } from "./support/test";

/** Settings -> API keys: a key is shown once, works at once, and stops working when revoked. */
test("alice creates a key, sees it once, uses it, and revokes it", async ({ asUser, request }) => {
  test.setTimeout(90_000);
  const name = `e2e ui key ${Date.now()}`;
  const page = await asUser("alice");
  await page.goto("/conversations");
  await page.getByRole("link", { name: "API keys" }).click();
  await expect(page).toHaveURL(/\/settings\/api-keys$/);

  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "Give the key a name" })).toBeVisible();

  await page.getByLabel("Name").fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  const key = (await page.getByTestId("new-key-value").innerText()).trim();
  expect(key).toMatch(/^rls_live_[A-Za-z0-9_-]{43}$/);
  const row = page.getByTestId("api-key-row").filter({ hasText: name });
  await expect(row).toContainText(key.slice(0, 16));
  await expect(row).toContainText("Never");

  const used = await request.post("/api/agent/sql", { headers: bearer(key), data: { sql: "select 1 as ok" } });
  expect(used.status()).toBe(200);

  // Shown once: after a reload only the prefix is on the page.
  await page.reload();
  await expect(page.getByTestId("new-key")).toHaveCount(0);
  expect(await page.content()).not.toContain(key);
  await expect(row).not.toContainText("Never");

  page.once("dialog", (dialog) => void dialog.accept());
  await row.getByRole("button", { name: `Revoke ${name}` }).click();
  await expect(row).toContainText("Revoked");
  const refused = await request.post("/api/agent/sql", { headers: bearer(key), data: { sql: "select 1 as ok" } });
  expect(refused.status()).toBe(401);
});
