import type { Instrumentation } from "next";

// Runs once when the server starts: an invalid or incomplete environment (in production: missing
// TENANT_CONTEXT_SECRET or AUTH_SECRET) stops the server here instead of failing on the first request.
// The app's settings (lib/env.ts) and the database's (db/env.ts) are checked together, so one start
// reports every problem of both. Then tracing starts, if OTEL_EXPORTER_OTLP_ENDPOINT asks for it.
// The database pools are closed last on shutdown (lib/shutdown.ts), after the spans are flushed.
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ env }, { dbEnv, closePools }, { onShutdown }] = await Promise.all([
      import("@/lib/env"),
      import("@/db"),
      import("@/lib/shutdown"),
    ]);
    const problems: string[] = [];
    for (const validate of [env, dbEnv]) {
      try {
        validate();
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (problems.length > 0) throw new Error(problems.join("\n\n"));
    if (env().OTEL_EXPORTER_OTLP_ENDPOINT) {
      const { startTracing } = await import("@/lib/telemetry");
      const tracing = startTracing(env());
      if (tracing) onShutdown(() => tracing.shutdown());
    }
    onShutdown(closePools);
  }
}

// Every error a request ends with, as one JSON log line (lib/logger.ts): the route, never the headers.
export const onRequestError: Instrumentation.onRequestError = async (error, request, context) => {
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { requestLogger } = await import("@/lib/logger");
  const digest = (error as { digest?: unknown }).digest;
  const requestId = request.headers["x-request-id"];
  requestLogger({ requestId: typeof requestId === "string" ? requestId : null }).error(
    {
      err: error,
      method: request.method,
      path: request.path.split("?")[0],
      route: context.routePath,
      routeType: context.routeType,
      ...(typeof digest === "string" ? { digest } : {}),
    },
    "request failed",
  );
};
