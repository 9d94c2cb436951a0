import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { signUp, unique } from "./support/accounts";
import { adminConnection } from "./support/database";
import { expect, multiStepFlows, test } from "./support/test";

multiStepFlows();
const run = promisify(execFile);

/** The CLI, as an operator runs it (`npm run admin -- grant <email>`), against the test database. */
async function adminCli(...args: string[]) {
  if (!process.env.DATABASE_URL) throw new Error("npm test passes DATABASE_URL (the owner) to the browser tests");
  return run("npx", ["tsx", "scripts/admin.ts", ...args], { env: process.env });
}

test("the platform admin page lists every tenant with counts, only for users flagged by the CLI, and records each visit", async ({
  page,
}) => {
  test.setTimeout(240_000); // the CLI starts a TypeScript process twice
  const email = await signUp(page, { workspace: unique("Operator Co") });
  // Not (yet) an admin: the page does not exist for them, and no link points to it.
  expect((await page.goto("/admin"))!.status()).toBe(404);
  await page.goto("/conversations");
  await expect(page.getByRole("link", { name: "Platform admin" })).toHaveCount(0);

  const { stdout } = await adminCli("grant", email);
  expect(stdout).toContain(`${email} is now a platform admin.`);
  const admin = adminConnection();
  try {
    const [user] = await admin<{ id: string }[]>`select id from users where email = ${email}`;
    const before = await admin<
      { n: number }[]
    >`select count(*)::int as n from platform_audit_events where actor_user_id = ${user!.id}`;

    await page.goto("/conversations");
    await page.getByRole("link", { name: "Platform admin" }).click();
    await expect(page).toHaveURL(/\/admin$/);
    const acme = page.getByTestId("admin-tenant-row").filter({ hasText: "acme-health" });
    const [truth] = await admin<{ members: number; agents: number; conversations: number }[]>`
      select (select count(*) from memberships m where m.tenant_id = t.id)::int as members,
             (select count(*) from agents a where a.tenant_id = t.id)::int as agents,
             (select count(*) from conversations c where c.tenant_id = t.id)::int as conversations
      from tenants t where t.slug = 'acme-health'`;
    await expect(acme).toContainText(String(truth!.conversations));
    await expect(acme.locator("td").nth(2)).toHaveText(String(truth!.agents));
    for (const slug of ["globex-realty", "initech-salons"])
      await expect(page.getByTestId("admin-tenant-row").filter({ hasText: slug })).toHaveCount(1);

    const after = await admin<{ n: number; action: string }[]>`
      select count(*)::int as n, max(action) as action from platform_audit_events where actor_user_id = ${user!.id}`;
    expect(after[0]!.n).toBe(before[0]!.n + 1);
    expect(after[0]!.action).toBe("admin.tenants_viewed");
    const granted = await admin<
      { n: number }[]
    >`select count(*)::int as n from platform_audit_events where action = 'admin.granted' and metadata->>'email' = ${email}`;
    expect(granted[0]!.n).toBe(1);
  } finally {
    await admin.end();
  }

  // Revoked: the next request is refused; the flag is read from the database, not the session.
  await adminCli("revoke", email);
  expect((await page.goto("/admin"))!.status()).toBe(404);
});

test("the CLI refuses an unknown email and a wrong command", async () => {
  test.setTimeout(180_000);
  await expect(adminCli("grant", `${unique("ghost")}@example.test`)).rejects.toMatchObject({ code: 1 });
  await expect(adminCli("promote", "x@example.test")).rejects.toMatchObject({ code: 2 });
});
