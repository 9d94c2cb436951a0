import { randomBytes } from "node:crypto";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../tests/support/otlp-receiver";
import { startNextServer, type NextServer } from "../tests/support/servers";
import { bearer, createKeyWithCli } from "./support/api-clients";
import { adminConnection } from "./support/database";
import { expect, test } from "./support/test";

/**
 * Traces of a real request: a second server of the same build, started with
 * OTEL_EXPORTER_OTLP_ENDPOINT pointing at an OTLP/HTTP receiver in this test process, answers an API
 * request that carries a `traceparent`. The receiver must get that trace: the request's span, the
 * withTenant transaction's span beneath it (tenant, role, statement count) and the statements' spans
 * beneath that; and nothing secret in what was exported or in what the server printed.
 */
test.describe("OpenTelemetry", () => {
  let receiver: OtlpReceiver;
  let server: NextServer;
  let output = "";

  test.beforeAll(async () => {
    test.setTimeout(120_000);
    receiver = await startOtlpReceiver();
    server = await startNextServer({
      env: {
        ...process.env,
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_SERVICE_NAME: "rls-starter-e2e",
        OTEL_BSP_SCHEDULE_DELAY: "200",
      },
      output: (text) => (output += text),
      timeoutMs: 120_000,
    });
  });

  test.afterAll(async () => {
    server?.stop();
    await receiver?.close();
  });

  test("a request's trace reaches the OTLP receiver: request span, withTenant span with tenant, role and statement count, statement spans beneath", async ({
    request,
  }) => {
    const key = await createKeyWithCli("acme-health", `otel-${Date.now()}`);
    const admin = adminConnection();
    const [acme] = await admin<{ id: string }[]>`select id from tenants where slug = 'acme-health'`;
    await admin.end();
    const traceId = randomBytes(16).toString("hex");
    const response = await request.get(`${server.url}/api/v1/conversations`, {
      headers: { ...bearer(key), traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    });
    expect(response.status()).toBe(200);

    const inTrace = () => receiver.spans.filter((s) => s.traceId === traceId);
    const transactionOf = (spans: ReceivedSpan[]) =>
      spans.find((s) => s.name === "withTenant" && s.attributes["app.tenant_id"] === acme!.id);
    await expect.poll(() => transactionOf(inTrace()), { timeout: 30_000 }).toBeTruthy();
    // The batch may still hold the request span (it ends after the transaction): wait for it too.
    const requestSpanOf = (spans: ReceivedSpan[]) =>
      spans.find((s) => s.kind === 2 && s.name.includes("/api/v1/conversations"));
    await expect.poll(() => requestSpanOf(inTrace()), { timeout: 30_000 }).toBeTruthy();

    const spans = inTrace();
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const transaction = transactionOf(spans)!;
    const requestSpan = requestSpanOf(spans)!;
    expect(requestSpan.service).toBe("rls-starter-e2e");
    expect(transaction.attributes).toMatchObject({
      "db.system.name": "postgresql",
      "db.user": "app_user",
      "db.transaction.read_only": false,
    });
    // The context statement and the body's queries (at least the page of conversations).
    expect(Number(transaction.attributes["db.statement_count"])).toBeGreaterThanOrEqual(2);

    // The transaction's span sits under the request's span (through Next's own spans in between).
    const ancestors: string[] = [];
    for (let s = byId.get(transaction.parentSpanId); s; s = byId.get(s.parentSpanId)) ancestors.push(s.spanId);
    expect(ancestors, "the request span is an ancestor of the transaction span").toContain(requestSpan.spanId);

    const statements = spans.filter((s) => s.parentSpanId === transaction.spanId);
    expect(statements.map((s) => s.name)).toEqual(expect.arrayContaining(["begin", "select", "commit"]));
    expect(statements.length).toBeGreaterThanOrEqual(Number(transaction.attributes["db.statement_count"]));
    const context = statements.find((s) => String(s.attributes["db.query.text"]).includes("app.tenant_ctx"));
    expect(context, "the context statement has a span (its text, never its token)").toBeTruthy();

    // Nothing secret left the process: not the key, not a signed context token, not the secrets.
    const exported = receiver.bodies.join("\n");
    for (const secret of [key, process.env.TENANT_CONTEXT_SECRET!, process.env.AUTH_SECRET!]) {
      expect(exported).not.toContain(secret);
      expect(output).not.toContain(secret);
    }
    expect(exported).not.toMatch(/v1\.[0-9a-f-]{36}\.[0-9a-f-]*\.\d+\.[0-9a-f]{64}/);
  });
});
