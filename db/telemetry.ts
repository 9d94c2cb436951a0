import {
  context,
  ProxyTracerProvider,
  SpanKind,
  SpanStatusCode,
  trace,
  type Context,
  type Span,
} from "@opentelemetry/api";

/**
 * OpenTelemetry spans of the boundary: one per transaction (tenant, user, role, statement count) and
 * one per statement beneath it. The app registers a tracer provider only when
 * OTEL_EXPORTER_OTLP_ENDPOINT is set (lib/telemetry.ts); without one the API's no-op tracer returns
 * a span that records nothing, and nothing else is made: no context, no statement spans, no count.
 *
 * Never an attribute: a bind parameter (the signed context token is one). Statement texts carry
 * placeholders, not values (no SQL here is built by interpolation).
 */
const tracerName = "rls-starter/db";
const tracer = trace.getTracer(tracerName);

/** No tracer provider registered: even a no-op span (about 0.5 µs) is skipped. */
function tracingOff(): boolean {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider && provider.getDelegateTracer(tracerName) === undefined;
}

export interface TransactionTrace {
  readonly span: Span;
  readonly context: Context;
  statements: number;
}

/** The transaction's span, or null when tracing is off (then nothing else is made or counted). */
export function startTransactionSpan(attributes: {
  role: string | undefined;
  tenantId: string | undefined;
  userId: string | undefined;
  readOnly: boolean;
}): TransactionTrace | null {
  if (tracingOff()) return null;
  const name = attributes.tenantId ? "withTenant" : "withUser";
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT });
  if (!span.isRecording()) return null;
  span.setAttributes({
    "db.system.name": "postgresql",
    ...(attributes.role ? { "db.user": attributes.role } : {}),
    ...(attributes.tenantId ? { "app.tenant_id": attributes.tenantId } : {}),
    ...(attributes.userId ? { "app.user_id": attributes.userId } : {}),
    "db.transaction.read_only": attributes.readOnly,
  });
  return { span, context: trace.setSpan(context.active(), span), statements: 0 };
}

/**
 * Gives a statement a span under the transaction's until it settles (when tracing), and counts it:
 * the context statement and the body's, not BEGIN and COMMIT (`counted: false`).
 */
export function traceStatement(transaction: TransactionTrace, text: string, settled: Promise<unknown>, counted = true) {
  if (counted) transaction.statements++;
  const operation = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? "query";
  const span = tracer.startSpan(
    operation,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        "db.system.name": "postgresql",
        "db.operation.name": operation,
        "db.query.text": text.slice(0, 2000),
      },
    },
    transaction.context,
  );
  settled.then(
    () => span.end(),
    (error: unknown) => {
      span.setStatus({ code: SpanStatusCode.ERROR, message: errorLabel(error) });
      span.end();
    },
  );
}

export function endTransactionSpan(transaction: TransactionTrace, error?: unknown) {
  const { span } = transaction;
  span.setAttribute("db.statement_count", transaction.statements);
  if (error !== undefined) span.setStatus({ code: SpanStatusCode.ERROR, message: errorLabel(error) });
  span.end();
}

/** An error's SQLSTATE (also when wrapped, as Drizzle does) or class name, not its message: a message can quote a value. */
function errorLabel(error: unknown): string {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return error instanceof Error ? error.name : "error";
}

/** Runs fn with the transaction's span as the active one (so spans made inside are its children). */
export const withinTransaction = <T>(transaction: TransactionTrace, fn: () => T): T =>
  context.with(transaction.context, fn);
