import { after, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { and, eq } from "drizzle-orm";
import { withTenant } from "@/db";
import { closePools } from "@/db/client";
import { agents, conversations } from "@/db/schema";
import { ownerSql, tenantIdsBySlug } from "../support/db";

/**
 * Every instant the validators accept (year 0001 to 9999) reads back as the same instant through
 * withTenant. Drizzle hands PostgreSQL's timestamptz text to `new Date()`, whose fallback parser
 * read year 0001 back as 2001 until db/client.ts gave it ISO 8601 text.
 */
const tenant = (await tenantIdsBySlug())["acme-health"]!;
const marker = `timestamp round trip ${Date.now()}`;

after(async () => {
  const owner = ownerSql();
  await owner`delete from conversations where caller = ${marker}`;
  await closePools();
  await owner.end({ timeout: 2 });
});

it("a timestamptz of any year from 0001 to 9999 reads back as the instant written", async () => {
  const [agent] = await withTenant(tenant, (tx) =>
    tx.select({ id: agents.id }).from(agents).where(eq(agents.tenantId, tenant)).limit(1),
  );
  const instant = fc.date({
    min: new Date("0001-01-01T00:00:00.000Z"),
    max: new Date("9999-12-31T23:59:59.999Z"),
    noInvalidDate: true,
  });
  await fc.assert(
    fc.asyncProperty(instant, async (startedAt) => {
      const row = { tenantId: tenant, agentId: agent!.id, channel: "chat" as const, caller: marker };
      const [written] = await withTenant(tenant, (tx) =>
        tx
          .insert(conversations)
          .values({ ...row, status: "completed", startedAt, durationSeconds: 1, summary: "round trip" })
          .returning({ id: conversations.id, startedAt: conversations.startedAt }),
      );
      assert.equal(written!.startedAt.toISOString(), startedAt.toISOString(), "as returned by the insert");
      const [read] = await withTenant(tenant, (tx) =>
        tx
          .select({ startedAt: conversations.startedAt })
          .from(conversations)
          .where(and(eq(conversations.tenantId, tenant), eq(conversations.id, written!.id))),
      );
      assert.equal(read!.startedAt.toISOString(), startedAt.toISOString(), "as read back");
    }),
    { numRuns: 60, examples: [[new Date("0001-01-01T00:00:59.000Z")], [new Date("0049-12-31T23:59:59.999Z")]] },
  );
});
