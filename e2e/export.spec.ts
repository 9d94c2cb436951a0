import { readFile } from "node:fs/promises";
import { parseCsv } from "./support/csv";
import { adminConnection } from "./support/database";
import { createWorkspace } from "./support/scratch-workspaces";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

const header = ["conversation_id", "started_at", "agent", "channel", "status", "duration_seconds", "caller", "summary"];

test("CSV export of the current filter: every match (not just the page), a dated filename, and an audit entry", async ({
  asUser,
}) => {
  const admin = adminConnection();
  try {
    const [alice] = await admin<{ id: string }[]>`select id from users where email = 'alice@acme.test'`;
    const truth = await admin<{ id: string }[]>`
      select c.id from conversations c join tenants t on t.id = c.tenant_id and t.slug = 'acme-health'
      where c.channel = 'chat' and c.search @@ websearch_to_tsquery('pg_catalog.english', 'refund')
      order by c.started_at desc, c.id desc`;
    expect(truth.length).toBeGreaterThan(0);
    const startedAt = new Date();

    const page = await asUser("alice");
    await page.goto("/conversations?q=refund&channel=chat");
    const downloading = page.waitForEvent("download");
    await page.getByTestId("export-csv").click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe(`conversations-acme-health-${new Date().toISOString().slice(0, 10)}.csv`);
    const rows = parseCsv(await readFile(await download.path(), "utf8"));
    expect(rows[0]).toEqual(header);
    expect(rows.slice(1).map((r) => r[0])).toEqual(truth.map((r) => r.id));
    for (const r of rows.slice(1)) expect(r[3]).toBe("chat");

    const audit = await admin<{ metadata: { filters: Record<string, string> } }[]>`
      select metadata from audit_events where action = 'conversations.exported' and actor_user_id = ${alice!.id} and occurred_at >= ${startedAt}`;
    expect(audit).toHaveLength(1);
    expect(audit[0]!.metadata.filters).toEqual({ q: "refund", channel: "chat" });
  } finally {
    await admin.end();
  }
});

test("the export streams past one batch, escapes CSV and defuses spreadsheet formulas", async ({ page }) => {
  test.slow(); // a long multi-step flow: three times the default timeout on a busy machine
  const hostile = [
    { caller: '=HYPERLINK("http://evil.test","click")', summary: "Plain summary, with a comma" },
    { caller: "+1 555-0100", summary: 'She said "hello"\nand hung up' },
    { caller: "-2+3", summary: "@SUM(A1:A9)" },
  ];
  const workspace = await createWorkspace({
    agents: ["Export Agent"],
    conversations: hostile.map((h) => ({ agent: 0, ...h })),
  });
  try {
    await workspace.generate(1200);
    await signInThroughUi(page, workspace.email);
    const response = await page.request.get("/conversations/export");
    expect(response.status()).toBe(200);
    expect(response.headers()["content-type"]).toBe("text/csv; charset=utf-8");
    expect(response.headers()["content-disposition"]).toMatch(
      new RegExp(`^attachment; filename="conversations-${workspace.slug}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`),
    );
    const text = await response.text();
    const rows = parseCsv(text);
    expect(rows).toHaveLength(1 + 1203);
    expect(new Set(rows.slice(1).map((r) => r[0])).size).toBe(1203);
    const byCaller = new Map(rows.map((r) => [r[6], r]));
    expect(byCaller.get(`'=HYPERLINK("http://evil.test","click")`)?.[7]).toBe("Plain summary, with a comma");
    expect(byCaller.get("'+1 555-0100")?.[7]).toBe('She said "hello"\nand hung up');
    expect(byCaller.get("'-2+3")?.[7]).toBe("'@SUM(A1:A9)");
    expect(text).toContain('"\'=HYPERLINK(""http://evil.test"",""click"")"');
    // Newest first across batch boundaries.
    const times = rows.slice(1).map((r) => Date.parse(r[1]!));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  } finally {
    await workspace.remove();
  }
});

test("a viewer cannot export: no button, a 403 with a clear message, nothing audited", async ({ page }) => {
  const workspace = await createWorkspace({
    role: "viewer",
    agents: ["Viewer Agent"],
    conversations: [{ agent: 0, caller: "x", summary: "A refund request" }],
  });
  const admin = adminConnection();
  try {
    await signInThroughUi(page, workspace.email);
    await expect(page.getByTestId("conversation-list").locator("li")).toHaveCount(1);
    await expect(page.getByTestId("export-csv")).toHaveCount(0);
    const response = await page.request.get("/conversations/export");
    expect(response.status()).toBe(403);
    expect(await response.json()).toEqual({
      error: { code: "forbidden", message: "A viewer cannot export conversations." },
    });
    const [audit] = await admin<
      { n: number }[]
    >`select count(*)::int as n from audit_events where tenant_id = ${workspace.tenantId} and action = 'conversations.exported'`;
    expect(audit!.n).toBe(0);

    // Control: the same request as a member exports.
    await workspace.setRole("member");
    const allowed = await page.request.get("/conversations/export");
    expect(allowed.status()).toBe(200);
    expect(parseCsv(await allowed.text())).toHaveLength(2);
  } finally {
    await admin.end();
    await workspace.remove();
  }
});
