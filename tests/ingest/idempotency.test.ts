import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { eq } from "drizzle-orm";
import { withTenant } from "@/db";
import { closePools } from "@/db/client";
import { agents } from "@/db/schema";
import { createApiKey } from "@/features/api-keys/store";
import { POST } from "@/app/api/v1/conversations/route";
import { adminSql, ownerSql, tenantIdsBySlug } from "../support/db";

/**
 * Idempotency-Key on the ingest POST, through the route handler itself: a retry answers the first
 * request's conversation instead of writing a second one, per tenant, and a bad key is a 400 naming
 * the header with nothing written.
 */
const ids = await tenantIdsBySlug();
const acme = ids["acme-health"]!;
const globex = ids["globex-realty"]!;
const keys: Record<string, { id: string; key: string }> = {};
const marker = `idempotency test ${Date.now()}`;

before(async () => {
  for (const [name, tenant] of [
    ["acme", acme],
    ["globex", globex],
  ] as const) {
    keys[name] = await withTenant(tenant, (tx) =>
      createApiKey(tx, { tenantId: tenant, name: `idempotency ${name}`, createdBy: null }),
    );
  }
});

after(async () => {
  // Back to the seed: the other suites count its rows.
  const owner = ownerSql();
  await owner`delete from conversations where caller = ${marker}`;
  for (const { id } of Object.values(keys)) {
    await owner`delete from audit_events where target = ${`api_key:${id}`}`;
    await owner`delete from api_keys where id = ${id}`;
  }
  await closePools();
  await owner.end({ timeout: 2 });
});

async function agentOf(tenant: string): Promise<string> {
  const [agent] = await withTenant(tenant, (tx) =>
    tx.select({ id: agents.id }).from(agents).where(eq(agents.tenantId, tenant)).limit(1),
  );
  return agent!.id;
}

const body = async (tenant: string, summary = "a call") => ({
  agent: await agentOf(tenant),
  channel: "voice",
  caller: marker,
  started_at: "2026-05-01T09:30:00Z",
  duration_seconds: 42,
  summary,
  turns: [{ speaker: "caller", text: "hello", offset_ms: 0 }],
});

function post(tenant: "acme" | "globex", payload: unknown, idempotencyKey?: string) {
  const headers: Record<string, string> = {
    Authorization: `Bearer ${keys[tenant]!.key}`,
    "Content-Type": "application/json",
  };
  if (idempotencyKey !== undefined) headers["Idempotency-Key"] = idempotencyKey;
  return POST(
    new Request("http://localhost/api/v1/conversations", { method: "POST", headers, body: JSON.stringify(payload) }),
  );
}

async function written(summary: string): Promise<{ tenant_id: string; id: string; turns: number }[]> {
  const rows = await adminSql()<{ tenant_id: string; id: string; turns: number }[]>`
    select c.tenant_id, c.id, (select count(*)::int from conversation_turns t
                               where t.tenant_id = c.tenant_id and t.conversation_id = c.id) as turns
    from conversations c where c.caller = ${marker} and c.summary = ${summary}`;
  return [...rows];
}

describe("Idempotency-Key on POST /api/v1/conversations", () => {
  it("a retry with the same key answers the first conversation (201, Idempotent-Replayed) and writes nothing", async () => {
    const payload = await body(acme, "retried");
    const first = await post("acme", payload, "retry-1");
    const second = await post("acme", payload, "retry-1");
    assert.equal(first.status, 201);
    assert.equal(second.status, 201);
    assert.equal(first.headers.get("Idempotent-Replayed"), null);
    assert.equal(second.headers.get("Idempotent-Replayed"), "true");
    const [a, b] = (await Promise.all([first.json(), second.json()])) as { id: string }[];
    assert.deepEqual(b, a);
    assert.deepEqual(await written("retried"), [{ tenant_id: acme, id: a!.id, turns: 1 }]);
  });

  it("concurrent retries of one key: one conversation, every answer names it", async () => {
    const payload = await body(acme, "concurrent");
    const answers = await Promise.all(Array.from({ length: 6 }, () => post("acme", payload, "concurrent-1")));
    assert.deepEqual(
      answers.map((r) => r.status),
      Array(6).fill(201),
    );
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { id: string }[];
    const rows = await written("concurrent");
    assert.equal(rows.length, 1);
    assert.ok(bodies.every((b) => b.id === rows[0]!.id));
  });

  it("the same key with another body: 422 naming the header, nothing written", async () => {
    const first = await post("acme", await body(acme, "first body"), "reused-1");
    assert.equal(first.status, 201);
    const other = await post("acme", await body(acme, "other body"), "reused-1");
    assert.equal(other.status, 422);
    const error = ((await other.json()) as { error: { code: string; fields: Record<string, string[]> } }).error;
    assert.equal(error.code, "idempotency_key_reused");
    assert.ok(error.fields["Idempotency-Key"]);
    assert.equal((await written("other body")).length, 0);
  });

  it("keys are per tenant: the same key in another tenant creates that tenant's own conversation", async () => {
    const a = await post("acme", await body(acme, "per tenant"), "shared-key");
    const g = await post("globex", await body(globex, "per tenant"), "shared-key");
    assert.equal(a.status, 201);
    assert.equal(g.status, 201);
    assert.equal(g.headers.get("Idempotent-Replayed"), null);
    const rows = await written("per tenant");
    assert.deepEqual(rows.map((r) => r.tenant_id).sort(), [acme, globex].sort());
  });

  it("without a key, a repeated POST is two conversations (the header is what makes it idempotent)", async () => {
    const payload = await body(acme, "no key");
    assert.equal((await post("acme", payload)).status, 201);
    assert.equal((await post("acme", payload)).status, 201);
    assert.equal((await written("no key")).length, 2);
  });

  it("hostile keys: valid ones create once, every other is a 400 naming the header; never a 5xx", async () => {
    const payload = await body(acme, "hostile keys");
    let created = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ minLength: 0, maxLength: 300 }),
          fc.string({ unit: "binary", maxLength: 40 }),
          fc.stringMatching(/^[\x21-\x7e]{1,255}$/),
        ),
        async (key) => {
          let answer: Response;
          try {
            answer = await post("acme", payload, key);
          } catch {
            // The Request constructor refuses a header value with NUL, CR or LF: nothing reaches the server.
            return;
          }
          assert.ok(answer.status === 201 || answer.status === 400, `${JSON.stringify(key)}: ${answer.status}`);
          if (answer.status === 400) {
            const error = ((await answer.json()) as { error: { code: string; fields: object } }).error;
            assert.equal(error.code, "invalid_header");
            assert.ok("Idempotency-Key" in error.fields);
          } else if (answer.headers.get("Idempotent-Replayed") === null) {
            created++;
          }
        },
      ),
      { numRuns: 40 },
    );
    const [{ keys: distinct } = { keys: 0 }] = await ownerSql()<{ keys: number }[]>`
      select count(*)::int as keys from ingest_idempotency_keys k
      join conversations c on c.tenant_id = k.tenant_id and c.id = k.conversation_id
      where c.caller = ${marker} and c.summary = 'hostile keys'`;
    assert.equal((await written("hostile keys")).length, created);
    assert.equal(distinct, created);
  });
});
