import type { Page } from "@playwright/test";
import { adminConnection } from "./support/database";
import { createWorkspace } from "./support/scratch-workspaces";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

const phrase = '"refund request"'; // the seed puts it in every tenant

async function shownIds(page: Page): Promise<string[]> {
  return page
    .getByTestId("conversation-list")
    .locator("li")
    .evaluateAll((els) => els.map((e) => e.getAttribute("data-conversation-id") ?? ""));
}

async function search(page: Page, words: string) {
  await page.getByLabel("Search summaries and transcripts").fill(words);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/[?&]q=/);
}

test("searching a phrase that exists in two tenants returns only the active tenant's matches, highlighted", async ({
  asUser,
}) => {
  test.slow(); // a long multi-step flow: three times the default timeout on a busy machine
  const admin = adminConnection();
  try {
    const matches = await admin<{ slug: string; id: string }[]>`
      select t.slug, c.id from conversations c join tenants t on t.id = c.tenant_id
      where c.search @@ websearch_to_tsquery('pg_catalog.english', ${phrase}) and t.slug in ('acme-health', 'globex-realty')`;
    const bySlug = (slug: string) =>
      matches
        .filter((m) => m.slug === slug)
        .map((m) => m.id)
        .sort();
    // Control: the phrase really is in both tenants, and fits on one page.
    expect(bySlug("acme-health").length).toBeGreaterThan(0);
    expect(bySlug("globex-realty").length).toBeGreaterThan(0);
    expect(bySlug("acme-health").length).toBeLessThanOrEqual(50);

    for (const [user, own, other] of [
      ["alice", "acme-health", "globex-realty"],
      ["bob", "globex-realty", "acme-health"],
    ] as const) {
      const page = await asUser(user);
      await page.goto("/conversations");
      await search(page, phrase);
      await expect(page.getByTestId("conversation-list").locator("li")).toHaveCount(bySlug(own).length);
      expect((await shownIds(page)).sort()).toEqual(bySlug(own));
      const html = await page.content();
      for (const id of bySlug(other)) expect(html).not.toContain(id);
      // Matches are highlighted in the summary on the list, and in the transcript of a result opened
      // from it (the transcript is highlighted on demand, for the conversation shown).
      const first = page.getByTestId("conversation-list").locator("li").first();
      await expect(first.getByTestId("summary").locator("mark").first()).toHaveText(/^(refund|request)/i);
      await first.getByRole("link").click();
      await expect(page).toHaveURL(/\/conversations\/[0-9a-f-]{36}\?q=/);
      await expect(page.getByTestId("transcript").locator("mark").first()).toHaveText(/^(refund|request)/i);
    }
  } finally {
    await admin.end();
  }
});

test("filters by agent, channel, status and dates; keyset pages keep them; the form keeps its values", async ({
  asUser,
}) => {
  test.slow(); // a long multi-step flow: three times the default timeout on a busy machine
  const admin = adminConnection();
  try {
    const [agent] = await admin<{ id: string; name: string }[]>`
      select a.id, a.name from agents a join tenants t on t.id = a.tenant_id and t.slug = 'acme-health' where a.channel = 'voice' order by a.name limit 1`;
    const [range] = await admin<{ from: string; to: string }[]>`
      select to_char(min(started_at) at time zone 'UTC', 'YYYY-MM-DD') as from, to_char(max(started_at) at time zone 'UTC', 'YYYY-MM-DD') as to
      from conversations where agent_id = ${agent!.id}`;
    const truth = (
      await admin<{ id: string }[]>`
        select c.id from conversations c
        where c.agent_id = ${agent!.id} and c.channel = 'voice' and c.status = 'completed'
          and c.started_at >= (${range!.from}::date)::timestamp at time zone 'UTC'
          and c.started_at < (${range!.to}::date + 1)::timestamp at time zone 'UTC'
        order by c.started_at desc, c.id desc`
    ).map((r) => r.id);
    expect(truth.length).toBeGreaterThan(50); // two pages

    const page = await asUser("alice");
    await page.goto("/conversations");
    await page.getByLabel("Agent").selectOption({ label: agent!.name });
    await page.getByLabel("Channel").selectOption("voice");
    await page.getByLabel("Status").selectOption("completed");
    await page.getByLabel("From (UTC)").fill(range!.from);
    await page.getByLabel("To (UTC, inclusive)").fill(range!.to);
    await page.getByRole("button", { name: "Apply" }).click();
    await expect(page).toHaveURL(
      new RegExp(`agent=${agent!.id}.*channel=voice.*status=completed.*from=${range!.from}.*to=${range!.to}`),
    );
    await expect(page.getByTestId("conversation-list").locator("li")).toHaveCount(50);
    expect(await shownIds(page)).toEqual(truth.slice(0, 50));

    await page.getByTestId("next-page").click();
    await expect(page).toHaveURL(/after=/);
    await expect(page).toHaveURL(/channel=voice.*status=completed/);
    await expect(page.getByTestId("conversation-list").locator("li")).toHaveCount(truth.length - 50);
    expect(await shownIds(page)).toEqual(truth.slice(50));
    await expect(page.getByLabel("Status")).toHaveValue("completed");
    await expect(page.getByLabel("Agent")).toHaveValue(agent!.id);
    await expect(page.getByLabel("From (UTC)")).toHaveValue(range!.from);

    await page.getByRole("link", { name: "Clear filters" }).click();
    await expect(page).toHaveURL(/\/conversations$/);
    await expect(page.getByLabel("Status")).toHaveValue("");
  } finally {
    await admin.end();
  }
});

test("the filter form works without JavaScript", async ({ asUser }) => {
  const page = await asUser("alice", { javaScriptEnabled: false });
  await page.goto("/conversations");
  await page.getByLabel("Search summaries and transcripts").fill("refund");
  await page.getByLabel("Status").selectOption("abandoned");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/q=refund.*status=abandoned/);
  await expect(page.getByLabel("Search summaries and transcripts")).toHaveValue("refund");
  await expect(page.getByLabel("Status")).toHaveValue("abandoned");
  const statuses = await page.getByTestId("conversation-list").locator("li").allInnerTexts();
  expect(statuses.length).toBeGreaterThan(0);
  for (const text of statuses) expect(text).toContain("abandoned");
});

test("bad filters get a message at the field, keep what was typed, and show no results", async ({ asUser }) => {
  const page = await asUser("alice");
  await page.goto("/conversations?q=refund&from=2025-03-10&to=2025-03-01");
  const to = page.getByLabel("To (UTC, inclusive)");
  await expect(to).toHaveAttribute("aria-invalid", "true");
  await expect(page.locator(`#${await to.getAttribute("aria-describedby")}`)).toHaveText(
    "The end date is before the start date.",
  );
  await expect(page.getByLabel("From (UTC)")).toHaveValue("2025-03-10");
  await expect(page.getByLabel("Search summaries and transcripts")).toHaveValue("refund");
  await expect(page.locator("main").getByRole("alert")).toContainText("Some filters need fixing");
  await expect(page.getByTestId("conversation-list")).toHaveCount(0);

  await page.goto("/conversations?status=lost&from=2025-02-30");
  await expect(page.getByText("Choose one of: completed, escalated, abandoned, failed.")).toBeVisible();
  await expect(page.getByText("Not a calendar date.")).toBeVisible();

  await page.goto("/conversations?q=the+and");
  await expect(page.getByText("These words are too common to search for; add a more specific word.")).toBeVisible();

  await page.goto("/conversations?q=zzqxj+refund");
  await expect(page.getByTestId("empty-results")).toHaveText("No conversations match these filters.");
});

test("highlighted text is rendered as text: markup in a transcript or in the query never becomes HTML", async ({
  page,
}) => {
  const workspace = await createWorkspace({
    agents: ["Markup Agent"],
    conversations: [
      {
        agent: 0,
        caller: "tester",
        summary: 'Caller pasted <b>bold</b> and <img src=x onerror="window.__xss=1"> into a lighthouse question.',
        turns: ["My note: <script>window.__xss=2</script> about the lighthouse.", "Noted."],
      },
    ],
  });
  try {
    await signInThroughUi(page, workspace.email);
    await page.goto("/conversations?q=lighthouse");
    const item = page.getByTestId("conversation-list").locator("li");
    await expect(item).toHaveCount(1);
    await expect(item.getByTestId("summary")).toContainText("<b>bold</b>");
    await expect(item.getByTestId("summary").locator("mark")).toHaveText(["lighthouse"]);
    await expect(page.locator("main b, main img, main script")).toHaveCount(0);
    // The transcript, highlighted on the conversation opened from the result: text as well.
    await item.getByRole("link").click();
    await expect(page.getByTestId("transcript").locator("mark")).toHaveText(["lighthouse"]);
    await expect(page.getByTestId("transcript")).toContainText("<script>window.__xss=2</script>");
    await expect(page.locator("main b, main img, main script")).toHaveCount(0);

    const hostileQuery = '<img src=x onerror="window.__xss=3"> lighthouse';
    await page.goto(`/conversations?q=${encodeURIComponent(hostileQuery)}`);
    await expect(page.getByLabel("Search summaries and transcripts")).toHaveValue(hostileQuery);
    await expect(page.locator("main img, main script")).toHaveCount(0);
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
  } finally {
    await workspace.remove();
  }
});
