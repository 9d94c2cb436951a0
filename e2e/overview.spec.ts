import { adminConnection } from "./support/database";
import { createWorkspace } from "./support/scratch-workspaces";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

test("the overview shows the last 30 days of the active tenant: totals, per-agent chart, durations, statuses", async ({
  asUser,
}) => {
  const admin = adminConnection();
  try {
    const since = admin`(((now() at time zone 'UTC')::date - 29)::timestamp at time zone 'UTC')`;
    const [acme] = await admin<{ id: string }[]>`select id from tenants where slug = 'acme-health'`;
    const [total] = await admin<{ n: number; avg: number }[]>`
      select count(*)::int as n, round(avg(duration_seconds))::int as avg from conversations where tenant_id = ${acme!.id} and started_at >= ${since}`;
    const statuses = await admin<{ status: string; n: number }[]>`
      select status::text, count(*)::int as n from conversations where tenant_id = ${acme!.id} and started_at >= ${since} group by 1`;
    const agents = await admin<{ name: string; n: number }[]>`
      select a.name, count(*)::int as n from conversations c join agents a on a.tenant_id = c.tenant_id and a.id = c.agent_id
      where c.tenant_id = ${acme!.id} and c.started_at >= ${since} group by 1 order by 1`;
    const foreignAgents = await admin<{ name: string }[]>`
      select name from agents where tenant_id <> ${acme!.id} and name not in (select name from agents where tenant_id = ${acme!.id})`;
    expect(total!.n).toBeGreaterThan(0);

    const page = await asUser("alice");
    await page.goto("/conversations");
    await page.getByRole("link", { name: "Overview" }).click();
    await expect(page.getByTestId("stat-conversations")).toHaveText(total!.n.toLocaleString("en-US"));
    const minutes = Math.floor(total!.avg / 60);
    await expect(page.getByTestId("stat-average-duration")).toHaveText(
      minutes > 0 ? `${minutes}m ${String(total!.avg % 60).padStart(2, "0")}s` : `${total!.avg}s`,
    );

    const chart = page.getByRole("img", { name: /Conversations per day by agent, last 30 days/ });
    await expect(chart).toBeVisible();
    await expect(chart.locator("rect").first()).toBeVisible();

    // The numbers behind the chart, reached with the keyboard.
    const summary = page.getByText("Show the numbers as a table");
    await summary.focus();
    await page.keyboard.press("Enter");
    const table = page.getByTestId("daily-chart-table");
    await expect(table).toBeVisible();
    await expect(table.locator("tbody tr")).toHaveCount(30);
    await expect(table.locator("thead th")).toHaveText(["Day", ...agents.map((a) => a.name), "Total"]);
    const dailyTotals = await table.locator("tbody tr td:last-child").allInnerTexts();
    expect(dailyTotals.reduce((sum, t) => sum + Number(t), 0)).toBe(total!.n);

    for (const s of statuses) {
      await expect(
        page.getByTestId("status-chart-legend").locator(`[data-status="${s.status}"]`).getByTestId("count"),
      ).toHaveText(String(s.n));
    }
    await expect(page.getByTestId("duration-bars").locator("li")).toHaveCount(agents.length);

    const html = await page.content();
    for (const a of foreignAgents) expect(html).not.toContain(a.name);
  } finally {
    await admin.end();
  }
});

test("a workspace without conversations gets an empty overview, not broken charts", async ({ page }) => {
  const workspace = await createWorkspace({ agents: ["Quiet Agent"] });
  try {
    await signInThroughUi(page, workspace.email);
    await page.goto("/overview");
    await expect(page.getByTestId("overview-empty")).toContainText("No conversations in the last 30 days.");
    await expect(page.getByTestId("stat-conversations")).toHaveText("0");
    await expect(page.locator("main").getByRole("img")).toHaveCount(0);
  } finally {
    await workspace.remove();
  }
});
