import type { APIRequestContext } from "@playwright/test";
import { z } from "zod";
import { conversationInput, conversationOutput, conversationPageOutput } from "@/features/ingest/schema";
import { errorBody } from "@/features/agent-sql/wire";
import { bearer, createKeyWithCli, revokeKeyWithCli } from "./support/api-clients";
import { adminConnection } from "./support/database";
import { expect, test } from "./support/test";

/**
 * The ingest API against the built app. Writes go to initech-salons (acme-health stays read-only for
 * the suites that count its rows); reads across tenants are tried with acme-health's key.
 */
let initechKey = "";
let acmeKey = "";
let initechAgent = { id: "", name: "" };
let globexAgentId = "";
let globexConversationId = "";

// beforeAll runs in every worker that runs a test of this file, and makes API keys with the CLI: the
// file's tests run in one worker, in order, so the keys are made once (other files run in parallel).
test.describe.configure({ mode: "default" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  [initechKey, acmeKey] = await Promise.all([
    createKeyWithCli("initech-salons", "e2e ingest"),
    createKeyWithCli("acme-health", "e2e ingest reads"),
  ]);
  const admin = adminConnection();
  try {
    const [agent] = await admin<{ id: string; name: string }[]>`
      select a.id, a.name from agents a join tenants t on t.id = a.tenant_id where t.slug = 'initech-salons' order by a.name limit 1`;
    initechAgent = { id: agent!.id, name: agent!.name };
    const [globexAgent] = await admin<
      { id: string }[]
    >`select a.id from agents a join tenants t on t.id = a.tenant_id where t.slug = 'globex-realty' limit 1`;
    globexAgentId = globexAgent!.id;
    const [globexConversation] = await admin<
      { id: string }[]
    >`select c.id from conversations c join tenants t on t.id = c.tenant_id where t.slug = 'globex-realty' limit 1`;
    globexConversationId = globexConversation!.id;
  } finally {
    await admin.end();
  }
});

const validBody = (overrides: Record<string, unknown> = {}) => ({
  agent: initechAgent.name,
  channel: "voice",
  caller: "+1 555 0142",
  started_at: "2026-03-02T15:04:05Z",
  duration_seconds: 95,
  summary: "Booked a haircut for Friday 3pm.",
  turns: [
    { speaker: "agent", text: "Thanks for calling, how can I help?", offset_ms: 0 },
    { speaker: "caller", text: "I'd like a haircut on Friday.", offset_ms: 2400 },
  ],
  ...overrides,
});

async function initechConversationCount(): Promise<number> {
  const admin = adminConnection();
  try {
    const [row] = await admin<
      { n: number }[]
    >`select count(*)::int as n from conversations c join tenants t on t.id = c.tenant_id where t.slug = 'initech-salons'`;
    return row!.n;
  } finally {
    await admin.end();
  }
}

async function expectError(res: Awaited<ReturnType<APIRequestContext["get"]>>, status: number, code: string) {
  expect(res.status()).toBe(status);
  const body = errorBody.parse(await res.json());
  expect(body.error.code).toBe(code);
  return body.error;
}

test("POST then GET a conversation: 201 with Location, the same body back, first in the list", async ({ request }) => {
  const startedAt = new Date(Date.now() + 86_400_000).toISOString();
  const created = await request.post("/api/v1/conversations", {
    headers: bearer(initechKey),
    data: validBody({ started_at: startedAt }),
  });
  expect(created.status()).toBe(201);
  const body = conversationOutput.parse(await created.json());
  expect(created.headers()["location"]).toBe(`/api/v1/conversations/${body.id}`);
  expect(body.agent).toEqual(initechAgent);
  expect(body.turns.map((t) => t.text)).toEqual([
    "Thanks for calling, how can I help?",
    "I'd like a haircut on Friday.",
  ]);

  const fetched = await request.get(`/api/v1/conversations/${body.id}`, { headers: bearer(initechKey) });
  expect(conversationOutput.parse(await fetched.json())).toEqual(body);
  const list = conversationPageOutput.parse(
    await (await request.get("/api/v1/conversations?limit=5", { headers: bearer(initechKey) })).json(),
  );
  expect(list.data[0]!.id).toBe(body.id);

  // The agent may be named by id as well as by name.
  const byId = await request.post("/api/v1/conversations", {
    headers: bearer(initechKey),
    data: validBody({ agent: initechAgent.id, turns: [] }),
  });
  expect(byId.status()).toBe(201);
});

test("invalid bodies get 400 with the failing fields, and nothing is written", async ({ request }) => {
  const before = await initechConversationCount();
  const bad = await request.post("/api/v1/conversations", {
    headers: bearer(initechKey),
    data: validBody({
      channel: "fax",
      duration_seconds: -1,
      started_at: "yesterday",
      turns: [{ speaker: "robot", text: "", offset_ms: 0 }],
    }),
  });
  const error = await expectError(bad, 400, "invalid_body");
  expect(Object.keys(error.fields ?? {}).sort()).toEqual([
    "channel",
    "duration_seconds",
    "started_at",
    "turns.0.speaker",
    "turns.0.text",
  ]);

  const tenantInBody = await request.post("/api/v1/conversations", {
    headers: bearer(initechKey),
    data: validBody({ tenant_id: "00000000-0000-4000-8000-000000000000" }),
  });
  await expectError(tenantInBody, 400, "invalid_body");

  const notJson = await request.post("/api/v1/conversations", {
    headers: { ...bearer(initechKey), "content-type": "application/json" },
    data: Buffer.from("{not json"),
  });
  await expectError(notJson, 400, "invalid_json");
  expect(await initechConversationCount()).toBe(before);
});

test("an agent of another tenant is refused by the composite foreign key: 400 on agent, nothing written", async ({
  request,
}) => {
  const before = await initechConversationCount();
  const res = await request.post("/api/v1/conversations", {
    headers: bearer(initechKey),
    data: validBody({ agent: globexAgentId }),
  });
  const error = await expectError(res, 400, "invalid_body");
  expect(Object.keys(error.fields ?? {})).toEqual(["agent"]);
  const unknownName = await request.post("/api/v1/conversations", {
    headers: bearer(initechKey),
    data: validBody({ agent: "No Such Agent" }),
  });
  await expectError(unknownName, 400, "invalid_body");
  expect(await initechConversationCount()).toBe(before);
  expect(globexAgentId, "control: the agent id is real (globex's)").toMatch(/^[0-9a-f-]{36}$/);
});

test("with acme's key, globex's conversation id is a 404 like a missing or malformed id; globex's own key reads it", async ({
  request,
}) => {
  test.setTimeout(120_000); // the CLI is a tsx process: slow on a busy machine
  const foreign = await request.get(`/api/v1/conversations/${globexConversationId}`, { headers: bearer(acmeKey) });
  const missing = await request.get("/api/v1/conversations/00000000-0000-4000-8000-000000000000", {
    headers: bearer(acmeKey),
  });
  const malformed = await request.get("/api/v1/conversations/not-a-uuid", { headers: bearer(acmeKey) });
  for (const res of [foreign, missing, malformed]) await expectError(res, 404, "not_found");
  expect(await foreign.text()).toBe(await missing.text());

  const globexKey = await createKeyWithCli("globex-realty", "e2e control");
  const control = await request.get(`/api/v1/conversations/${globexConversationId}`, { headers: bearer(globexKey) });
  expect(control.status(), "control: the conversation exists").toBe(200);
});

test("keyset pagination walks pages without overlap; a forged cursor is a 400", async ({ request }) => {
  const seen = new Set<string>();
  let after: string | null = null;
  for (let page = 0; page < 3; page++) {
    const url: string = `/api/v1/conversations?limit=7${after ? `&after=${after}` : ""}`;
    const body = conversationPageOutput.parse(await (await request.get(url, { headers: bearer(acmeKey) })).json());
    expect(body.data).toHaveLength(7);
    for (const c of body.data) {
      expect(seen.has(c.id)).toBe(false);
      seen.add(c.id);
    }
    after = body.next_cursor;
    expect(after).toBeTruthy();
  }
  await expectError(
    await request.get("/api/v1/conversations?after=bogus", { headers: bearer(acmeKey) }),
    400,
    "invalid_query",
  );
  await expectError(
    await request.get("/api/v1/conversations?limit=1000", { headers: bearer(acmeKey) }),
    400,
    "invalid_query",
  );
});

test("missing, malformed, unknown and revoked keys get 401 JSON", async ({ request }) => {
  test.setTimeout(120_000);
  await expectError(await request.get("/api/v1/conversations"), 401, "missing_api_key");
  await expectError(
    await request.get("/api/v1/conversations", { headers: bearer("not-a-key") }),
    401,
    "invalid_api_key",
  );
  await expectError(
    await request.get("/api/v1/conversations", { headers: bearer(`rls_live_${"A".repeat(43)}`) }),
    401,
    "invalid_api_key",
  );

  const key = await createKeyWithCli("initech-salons", "e2e to revoke");
  expect(
    (await request.get("/api/v1/conversations?limit=1", { headers: bearer(key) })).status(),
    "control: the key works before",
  ).toBe(200);
  const admin = adminConnection();
  const [row] = await admin<
    { id: string }[]
  >`select id from api_keys where name = 'e2e to revoke' and revoked_at is null order by created_at desc limit 1`;
  await admin.end();
  await revokeKeyWithCli("initech-salons", row!.id);
  await expectError(
    await request.get("/api/v1/conversations?limit=1", { headers: bearer(key) }),
    401,
    "invalid_api_key",
  );
  await expectError(
    await request.post("/api/agent/sql", { headers: bearer(key), data: { sql: "select 1" } }),
    401,
    "invalid_api_key",
  );
});

test("a key over its rate gets 429 JSON with Retry-After", async ({ request }) => {
  test.setTimeout(120_000);
  const key = await createKeyWithCli("initech-salons", "e2e rate limit");
  const statuses: number[] = [];
  let limited: Awaited<ReturnType<APIRequestContext["get"]>> | undefined;
  for (let batch = 0; batch < 20 && !limited; batch++) {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => request.get("/api/v1/conversations?limit=1", { headers: bearer(key) })),
    );
    statuses.push(...responses.map((r) => r.status()));
    limited = responses.find((r) => r.status() === 429);
  }
  expect(statuses.filter((s) => s === 200).length, "the burst allowance was served first").toBeGreaterThanOrEqual(100);
  expect(limited, `no 429 after ${statuses.length} requests`).toBeTruthy();
  await expectError(limited!, 429, "rate_limited");
  expect(Number(limited!.headers()["retry-after"])).toBeGreaterThanOrEqual(1);
});

test("the OpenAPI document is served and generated from the schemas the API enforces", async ({ request }) => {
  const res = await request.get("/api/v1/openapi.json");
  expect(res.status()).toBe(200);
  const doc = (await res.json()) as {
    openapi: string;
    paths: Record<string, unknown>;
    components: { schemas: Record<string, unknown> };
  };
  expect(doc.openapi).toBe("3.1.0");
  expect(Object.keys(doc.paths).sort()).toEqual([
    "/api/agent/ask",
    "/api/agent/sql",
    "/api/v1/conversations",
    "/api/v1/conversations/{id}",
  ]);
  const input = z.toJSONSchema(conversationInput, { io: "input" }) as Record<string, unknown>;
  delete input.$schema;
  expect(doc.components.schemas.ConversationInput).toEqual(input);
});
