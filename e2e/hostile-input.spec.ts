import { request as httpRequest } from "node:http";
import type { APIRequestContext, APIResponse, Page } from "@playwright/test";
import fc from "fast-check";
import { bearer, baseUrl, createKeyWithCli, mcpClient, toolText } from "./support/api-clients";
import { adminConnection, ownerConnection } from "./support/database";
import {
  hostileCursor,
  hostileDay,
  hostileInstant,
  hostileNumber,
  hostileNumberText,
  hostileText,
  nestedJson,
  oddButStorableText,
  unstorableText,
} from "../tests/support/hostile";
import { createWorkspace, type Workspace } from "./support/scratch-workspaces";
import { signInThroughUi } from "./support/sign-in";
import { expect, test } from "./support/test";

/**
 * Hostile input at every entry point of the running app (property-based, fast-check): text
 * PostgreSQL cannot store, odd but storable text, huge text, dates and cursors at the edges,
 * numbers, nesting, bodies without a length. For each: never a 5xx; a refusal is a 4xx that names
 * the field and writes nothing; what is accepted is stored exactly as sent; an export that answers
 * has its audit row. Each property runs a modest number of cases (the machine is shared).
 */
test.describe.configure({ mode: "serial" });

let ws: Workspace;
let key = "";
// The MCP test has a key of its own: each key has its own rate limit (120 a minute by default), and
// the REST tests below spend about 90 calls in a second or two on a fast machine, the MCP test 35 more.
let mcpKey = "";

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ws = await createWorkspace({ role: "owner", agents: ["Hostile Line"] });
  await ws.generate(3);
  key = await createKeyWithCli(ws.slug, "e2e hostile input");
  mcpKey = await createKeyWithCli(ws.slug, "e2e hostile input (MCP)");
});

test.afterAll(async () => {
  await ws?.remove();
});

async function count(table: "conversations" | "audit_events", action?: string): Promise<number> {
  const admin = adminConnection();
  try {
    const [row] =
      table === "conversations"
        ? await admin<{ n: number }[]>`select count(*)::int as n from conversations where tenant_id = ${ws.tenantId}`
        : await admin<{ n: number }[]>`
            select count(*)::int as n from audit_events where tenant_id = ${ws.tenantId} and action = ${action ?? ""}`;
    return row!.n;
  } finally {
    await admin.end();
  }
}

type ErrorBody = { error?: { code?: string; message?: string; fields?: Record<string, string[]> } };

/** A 4xx JSON answer whose fields name `field` (or a path under it). */
async function expectRefusalNaming(res: APIResponse, field: string) {
  expect(res.status(), await res.text()).toBeLessThan(500);
  expect(res.status()).toBeGreaterThanOrEqual(400);
  const body = (await res.json()) as ErrorBody;
  if (res.status() === 413) return;
  expect(Object.keys(body.error?.fields ?? {}).some((k) => k === field || k.startsWith(`${field}.`))).toBe(true);
}

const noInternals = (text: string) => {
  expect(text).not.toMatch(/\b(select|insert|update)\b .*\b(from|into|set)\b/i);
  expect(text).not.toMatch(/params:|Failed query|\bat .*\.(js|ts):\d+/);
};

const ingestBody = (overrides: Record<string, unknown>) => ({
  agent: "Hostile Line",
  channel: "chat",
  caller: "+1 555 0100",
  started_at: "2026-03-02T15:04:05Z",
  duration_seconds: 60,
  summary: "A summary.",
  turns: [{ speaker: "caller", text: "Hello", offset_ms: 0 }],
  ...overrides,
});

function setPath(body: Record<string, unknown>, path: string, value: unknown) {
  if (path === "turns.0.text") return { ...body, turns: [{ speaker: "caller", text: value, offset_ms: 0 }] };
  if (path === "turns.0.offset_ms") return { ...body, turns: [{ speaker: "caller", text: "Hi", offset_ms: value }] };
  return { ...body, [path]: value };
}

test("ingest: hostile text, instants and numbers are refused naming the field, or stored exactly", async ({
  request,
}) => {
  test.setTimeout(240_000);
  const before = await count("conversations");
  let created = 0;
  const field = fc.oneof(
    fc.record({
      path: fc.constantFrom("caller", "summary", "agent", "turns.0.text"),
      // Under the 1 MB body limit (which the chunked-body test below covers): the field's own bound refuses it.
      value: hostileText.map((t) => t.slice(0, 200_000)),
    }),
    fc.record({ path: fc.constant("started_at"), value: hostileInstant }),
    fc.record({ path: fc.constantFrom("duration_seconds", "turns.0.offset_ms"), value: hostileNumber }),
  );
  await fc.assert(
    fc.asyncProperty(field, async ({ path, value }) => {
      const body = setPath(ingestBody({}), path, value);
      const res = await request.post("/api/v1/conversations", { headers: bearer(key), data: body });
      if (res.status() === 201) {
        created++;
        const stored = (await res.json()) as Record<string, unknown> & { turns: { text: string }[] };
        const sent = path === "turns.0.text" ? stored.turns[0]!.text : stored[path];
        if (path === "caller" || path === "summary")
          expect(sent).toBe(path === "caller" ? String(value).trim() : value);
        if (path === "turns.0.text") expect(sent).toBe(value);
        if (path === "started_at")
          expect(new Date(String(stored.started_at)).getTime()).toBe(Date.parse(String(value)));
      } else if (path === "agent" && res.status() === 400) {
        await expectRefusalNaming(res, "agent");
      } else {
        await expectRefusalNaming(res, path);
      }
    }),
    { numRuns: 40 },
  );
  // Nothing but the acknowledged conversations was written.
  expect(await count("conversations")).toBe(before + created);
});

test("ingest: NUL, lone surrogates and impossible dates are refused, never changed", async ({ request }) => {
  const before = await count("conversations");
  for (const [path, value] of [
    ["caller", "a\u0000b"],
    ["summary", "half a pair \uD83D"],
    ["turns.0.text", "\uDC00"],
    ["started_at", "0000-01-01T00:00:00Z"],
    ["started_at", "9999-12-31T23:59:59-14:00"],
    ["started_at", "2025-02-30T10:00:00Z"],
  ] as const) {
    const res = await request.post("/api/v1/conversations", {
      headers: bearer(key),
      data: setPath(ingestBody({}), path, value),
    });
    expect(res.status(), `${path}=${JSON.stringify(value)}`).toBe(400);
    await expectRefusalNaming(res, path);
  }
  expect(await count("conversations")).toBe(before);
});

test("list API: hostile cursors and limits are a 400 naming the parameter, or a page", async ({ request }) => {
  await fc.assert(
    fc.asyncProperty(
      fc.record({ after: fc.option(hostileCursor), limit: fc.option(hostileNumberText) }),
      async ({ after, limit }) => {
        const query = new URLSearchParams();
        if (after !== null) query.set("after", after);
        if (limit !== null) query.set("limit", limit);
        const res = await request.get(`/api/v1/conversations?${query}`, { headers: bearer(key) });
        expect(res.status(), await res.text()).toBeLessThan(500);
        if (res.status() !== 200) {
          expect(res.status()).toBe(400);
          const fields = Object.keys(((await res.json()) as ErrorBody).error?.fields ?? {});
          expect(fields.every((f) => f === "after" || f === "limit") && fields.length > 0).toBe(true);
        }
      },
    ),
    { numRuns: 40 },
  );
  const detail = await request.get(`/api/v1/conversations/${encodeURIComponent("\u0000")}`, { headers: bearer(key) });
  expect(detail.status()).toBe(404);
});

test("request bodies: a chunked body is refused once past the limit; deep nesting is a 400", async ({ request }) => {
  const url = new URL("/api/v1/conversations", baseUrl());
  const { status, sent } = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
    const req = httpRequest(url, {
      method: "POST",
      headers: { ...bearer(key), "Content-Type": "application/json", "Transfer-Encoding": "chunked" },
    });
    let sent = 0;
    let answered = false;
    const chunk = Buffer.alloc(64 * 1024, "x");
    req.on("response", (res) => {
      answered = true;
      res.resume();
      resolve({ status: res.statusCode ?? 0, sent });
      req.destroy();
    });
    req.on("error", (error) => (answered ? undefined : reject(error)));
    const pump = () => {
      // Up to 20 MB: the server must answer long before.
      while (!answered && sent < 20_000_000) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      if (!answered) req.end();
    };
    req.write('{"summary":"');
    pump();
  });
  expect(status).toBe(413);
  expect(sent).toBeLessThan(20_000_000);

  for (const depth of [33, 10_000, 400_000]) {
    const res = await request.post("/api/v1/conversations", {
      headers: { ...bearer(key), "Content-Type": "application/json" },
      data: nestedJson(depth),
    });
    expect(res.status()).toBe(400);
    expect(((await res.json()) as ErrorBody).error?.message).toMatch(/deeper than 32 levels/);
  }
});

test("MCP tools: hostile arguments are a tool error naming the argument, never a server error or SQL", async () => {
  const client = await mcpClient(mcpKey);
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          query: fc.oneof(
            hostileText.map((t) => t.slice(0, 100_000)),
            fc.constant("Generated"),
          ),
          limit: fc.option(hostileNumber),
        }),
        async ({ query, limit }) => {
          const result = await client.callTool({
            name: "search_conversations",
            arguments: limit === null ? { query } : { query, limit },
          });
          const text = toolText(result);
          noInternals(text);
          if (result.isError) expect(text).toMatch(/Input validation error.*(query|limit)/s);
        },
      ),
      { numRuns: 30 },
    );
    const nul = await client.callTool({ name: "search_conversations", arguments: { query: "a\u0000b" } });
    expect(nul.isError).toBe(true);
    expect(toolText(nul)).toMatch(/query/);
  } finally {
    await client.close();
  }
});

test("links: hostile invitation and magic-link tokens are a 4xx, never a 5xx", async ({ request }) => {
  await fc.assert(
    fc.asyncProperty(
      fc.oneof(
        hostileText.map((t) => t.slice(0, 1000)),
        fc.string({ minLength: 1 }),
      ),
      async (raw) => {
        // A URL carries UTF-8: a client sends a lone surrogate as U+FFFD (encodeURIComponent refuses it).
        const token = raw.replace(/[\uD800-\uDFFF]/g, "\uFFFD");
        const invite = await request.get(`/invite/${encodeURIComponent(token)}`, { maxRedirects: 0 });
        expect(invite.status()).toBeLessThan(500);
        const magic = await request.get(`/login/magic?token=${encodeURIComponent(token)}`, {
          maxRedirects: 0,
        });
        expect(magic.status()).toBeLessThan(500);
      },
    ),
    { numRuns: 20 },
  );
});

test("health endpoints: hostile query strings are ignored, never a 5xx but readiness's own 503", async ({
  request,
}) => {
  await fc.assert(
    fc.asyncProperty(hostileText, async (raw) => {
      const query = new URLSearchParams({ probe: raw.replace(/[\uD800-\uDFFF]/g, "\uFFFD").slice(0, 2000) });
      // 431: a URL longer than the server takes in its request head (Node's limit), a 4xx like the rest.
      const live = await request.get(`/api/health/live?${query}`);
      expect([200, 431]).toContain(live.status());
      const ready = await request.get(`/api/health/ready?${query}`);
      expect([200, 503, 431]).toContain(ready.status());
      if (ready.status() !== 431) expect(await ready.json()).toHaveProperty("status");
    }),
    { numRuns: 10 },
  );
});

test.describe("signed in", () => {
  let page: Page;
  let api: APIRequestContext;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(120_000);
    page = await (await browser.newContext()).newPage();
    await signInThroughUi(page, ws.email);
    api = page.request;
  });

  test.afterAll(async () => {
    await page?.context().close();
  });

  const filterQuery = fc.record({
    from: fc.option(fc.oneof(hostileDay, unstorableText)),
    to: fc.option(hostileDay),
    q: fc.option(hostileText.map((t) => t.slice(0, 300))),
    after: fc.option(hostileCursor),
  });
  const toQuery = (f: Record<string, string | null>) =>
    new URLSearchParams(Object.entries(f).filter((e): e is [string, string] => e[1] !== null)).toString();

  test("export: a 400 naming the filter and no audit row, or the whole CSV and its audit row", async () => {
    test.setTimeout(240_000);
    await fc.assert(
      fc.asyncProperty(filterQuery, async (filters) => {
        const before = await count("audit_events", "conversations.exported");
        const res = await api.get(`/conversations/export?${toQuery(filters)}`);
        expect(res.status(), await res.text()).toBeLessThan(500);
        if (res.status() === 200) {
          expect((await res.text()).split("\n")[0]).toMatch(/^conversation_id,/);
          expect(await count("audit_events", "conversations.exported")).toBe(before + 1);
        } else {
          expect(res.status()).toBe(400);
          const fields = Object.keys(((await res.json()) as ErrorBody).error?.fields ?? {});
          expect(fields.length).toBeGreaterThan(0);
          expect(fields.every((f) => ["from", "to", "q"].includes(f))).toBe(true);
          expect(await count("audit_events", "conversations.exported")).toBe(before);
        }
      }),
      { numRuns: 15 },
    );
  });

  test("conversations page: hostile filters and cursors show the list or a message, never the error page", async () => {
    test.setTimeout(240_000);
    await fc.assert(
      fc.asyncProperty(filterQuery, async (filters) => {
        const res = await api.get(`/conversations?${toQuery(filters)}`);
        expect(res.status()).toBeLessThan(500);
        const html = await res.text();
        expect(html).not.toContain("Something went wrong loading this page");
        expect(html).toMatch(/data-testid="(conversation-list|empty-results)"|Some filters need fixing/);
      }),
      { numRuns: 12 },
    );
  });

  test("audit log page: hostile dates and cursors show the log or a message, never the error page", async () => {
    test.setTimeout(240_000);
    await fc.assert(
      fc.asyncProperty(
        fc.record({ from: fc.option(hostileDay), to: fc.option(hostileDay), after: fc.option(hostileCursor) }),
        async (filters) => {
          const res = await api.get(`/settings/audit?${toQuery(filters)}`);
          expect(res.status()).toBeLessThan(500);
          const html = await res.text();
          expect(html).not.toContain("Something went wrong loading this page");
          expect(html).toMatch(/data-testid="audit-table"|No events|Please correct the filter/);
        },
      ),
      { numRuns: 12 },
    );
    const impossible = await (await api.get("/settings/audit?from=2025-02-30")).text();
    expect(impossible).toContain("Not a calendar date.");
  });

  test("admin revoke action: a hostile email is refused naming the field; nothing revoked, nothing recorded", async () => {
    test.setTimeout(240_000);
    const owner = ownerConnection();
    const admin = adminConnection();
    const recorded = async () =>
      (
        await admin<{ n: number }[]>`select count(*)::int as n from platform_audit_events
                                      where actor_user_id = ${ws.userId} and action = 'admin.sessions_revoked'`
      )[0]!.n;
    try {
      await owner`update users set is_platform_admin = true where id = ${ws.userId}`;
      const before = await recorded();
      const hostileEmail = fc.oneof(
        fc.string({ maxLength: 10 }).map((b) => `a\u0000${b}@example.test`),
        fc.string({ minLength: 400, maxLength: 600 }).map((b) => `${b}@example.test`),
        oddButStorableText.map((t) => t.slice(0, 60).replace(/@/g, "")),
      );
      await fc.assert(
        fc.asyncProperty(hostileEmail, async (email) => {
          await page.goto("/admin");
          const form = page.locator("form[aria-labelledby=revoke-heading]");
          await form.getByLabel("Account email").fill(email);
          await form.getByRole("button", { name: "Revoke every session" }).click();
          await expect(form.getByLabel("Account email")).toHaveAttribute("aria-invalid", "true");
          expect(await recorded()).toBe(before);
        }),
        { numRuns: 4 },
      );
    } finally {
      await owner`update users set is_platform_admin = false where id = ${ws.userId}`;
      await Promise.all([owner.end(), admin.end()]);
    }
  });

  test("server actions: a field PostgreSQL cannot store is refused naming the field, and nothing is written", async () => {
    test.setTimeout(240_000);
    // A browser sends a lone surrogate as U+FFFD (forms are UTF-8), so through a form the hostile text is a NUL.
    const withNul = fc
      .tuple(oddButStorableText, fc.string({ maxLength: 10 }))
      .map(([a, b]) => `${a.slice(0, 40)}\u0000${b}`);
    const admin = adminConnection();
    const storedName = async () =>
      (await admin<{ name: string }[]>`select name from users where id = ${ws.userId}`)[0]!.name;
    try {
      const before = await storedName();
      await fc.assert(
        fc.asyncProperty(withNul, async (name) => {
          await page.goto("/settings");
          const profile = page.getByRole("form", { name: "Profile" });
          await profile.getByLabel("Name").fill(name);
          await profile.getByRole("button", { name: "Save profile" }).click();
          await expect(profile.getByRole("alert")).toContainText("contains a NUL character");
          await expect(profile.getByLabel("Name")).toHaveAttribute("aria-invalid", "true");
          expect(await storedName()).toBe(before);
        }),
        { numRuns: 4 },
      );
    } finally {
      await admin.end();
    }
  });
});
