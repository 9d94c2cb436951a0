import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Env } from "@/lib/env";

/**
 * OpenTelemetry traces over OTLP/HTTP (JSON), on only when OTEL_EXPORTER_OTLP_ENDPOINT is set
 * (instrumentation.ts calls this at start; otherwise nothing is loaded and every span is a no-op).
 * What is traced: Next.js's own spans (one per request, named after the route, with its rendering
 * beneath), and db/telemetry.ts's: one per withTenant/withUser transaction, one per statement.
 * The exporter also reads the standard OTEL_EXPORTER_OTLP_HEADERS and OTEL_BSP_* variables.
 */
export function startTracing(e: Pick<Env, "OTEL_EXPORTER_OTLP_ENDPOINT" | "OTEL_SERVICE_NAME">): TracerProvider | null {
  const endpoint = e.OTEL_EXPORTER_OTLP_ENDPOINT;
  if (!endpoint) return null;
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": e.OTEL_SERVICE_NAME }),
    spanProcessors: [
      new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${endpoint.replace(/\/+$/, "")}/v1/traces` }) }),
    ],
  });
  // Spans made in a request's async work (a transaction) find the request's span as their parent.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  // An incoming `traceparent` header continues the caller's trace.
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  return provider;
}
