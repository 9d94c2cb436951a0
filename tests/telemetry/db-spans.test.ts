import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { context, ProxyTracerProvider, SpanStatusCode, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { sql } from "drizzle-orm";
import { agents } from "@/db/schema";
import { withTenant, withUser } from "@/db/tenant";
import { startTracing } from "@/lib/telemetry";
import { tenantIdsBySlug } from "../support/db";

/**
 * The boundary's spans (db/telemetry.ts) on a real database, caught by an in-memory exporter: one per
 * transaction with tenant, user, role and statement count, one per statement beneath, no bind
 * parameter anywhere; and none at all while no tracer provider is registered.
 */
describe("withTenant and withUser spans", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  let acme: string;

  before(async () => {
    acme = (await tenantIdsBySlug())["acme-health"]!;
  });
  function startTestTracing() {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(provider);
  }
  after(() => {
    trace.disable();
    context.disable();
  });

  it("without OTEL_EXPORTER_OTLP_ENDPOINT, startTracing registers nothing: the boundary makes no span", () => {
    assert.equal(startTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: undefined, OTEL_SERVICE_NAME: "x" }), null);
    const global = trace.getTracerProvider();
    assert.ok(global instanceof ProxyTracerProvider && global.getDelegateTracer("any") === undefined);
  });

  it("a withTenant transaction: tenant, role, statement count; a span per statement beneath, texts without values", async () => {
    startTestTracing();
    await withTenant(acme, async (tx) => {
      await tx
        .select({ id: agents.id })
        .from(agents)
        .where(sql`${agents.tenantId} = ${acme}`);
      await tx.select({ n: sql<number>`count(*)` }).from(agents);
    });
    const spans = exporter.getFinishedSpans();
    const transaction = spans.find((s) => s.name === "withTenant");
    assert.ok(transaction, `spans: ${spans.map((s) => s.name).join(", ")}`);
    assert.equal(transaction.attributes["app.tenant_id"], acme);
    assert.equal(transaction.attributes["db.user"], "app_user");
    assert.equal(transaction.attributes["db.statement_count"], 3, "the context statement and the two selects");
    const statements = spans.filter((s) => s.parentSpanContext?.spanId === transaction.spanContext().spanId);
    assert.deepEqual(statements.map((s) => s.name).sort(), ["begin", "commit", "select", "select", "select"]);
    const texts = statements.map((s) => String(s.attributes["db.query.text"]));
    assert.ok(
      texts.some((t) => /set_config\('app\.tenant_ctx', \$1, true\)/.test(t)),
      "the context statement",
    );
    assert.ok(!/\.[0-9a-f]{64}/.test(JSON.stringify(spans.map((s) => s.attributes))), "no signed token anywhere");
    assert.ok(!texts.some((t) => t.includes(acme)), "the tenant filter is a bind parameter, not text");
  });

  it("withUser carries the user, and a failed statement marks both spans as errors by SQLSTATE", async () => {
    exporter.reset();
    const userId = "00000000-0000-4000-8000-000000000001";
    await assert.rejects(withUser(userId, (tx) => tx.execute(sql`select 1/0`)));
    const spans = exporter.getFinishedSpans();
    const transaction = spans.find((s) => s.name === "withUser");
    assert.ok(transaction);
    assert.equal(transaction.attributes["app.user_id"], userId);
    assert.equal(transaction.status.message, "22012");
    const failed = spans.find((s) => s.name === "select" && s.status.code === SpanStatusCode.ERROR);
    assert.equal(failed?.status.message, "22012", "division_by_zero, not the message text");
  });
});
