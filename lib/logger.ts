import { randomUUID } from "node:crypto";
import { trace } from "@opentelemetry/api";
import pino from "pino";
import { env } from "@/lib/env";

/**
 * The app's log: one JSON object per line on stdout (pino), with `requestId` and `tenantId` where a
 * request has them, and the trace and span ids when tracing is on (lib/telemetry.ts).
 *
 * Secrets never reach it, by two nets: fields with a secret's name are replaced (`redact`), and every
 * line is scrubbed of anything shaped like a secret (API keys, signed context tokens, session JWTs)
 * before it is written, whatever field or message it sits in.
 */
export const redactedFields = [
  "password",
  "newPassword",
  "currentPassword",
  "token",
  "apiKey",
  "key",
  "secret",
  "cookie",
  "authorization",
  "headers.cookie",
  "headers.authorization",
  "*.password",
  "*.token",
  "*.apiKey",
  "*.secret",
  "*.cookie",
  "*.authorization",
];

const secretShapes: [RegExp, string][] = [
  // API keys (lib/auth/api-keys.ts).
  [/rls_live_[A-Za-z0-9_-]{20,}/g, "rls_live_[redacted]"],
  // Signed tenant context tokens (db/context-token.ts): v1.<tenant>.<user>.<expiry>.<hmac>.
  [/v1\.[0-9a-fA-F-]{0,36}\.[0-9a-fA-F-]{0,36}\.\d+\.[0-9a-f]{64}/g, "[redacted context token]"],
  // Auth.js session cookies: JWE compact serialisation (five base64url parts, the second empty).
  [/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, "[redacted jwt]"],
];

/** Replaces everything shaped like a secret in one line of output. */
export function scrubSecrets(line: string): string {
  let scrubbed = line;
  for (const [shape, replacement] of secretShapes) scrubbed = scrubbed.replace(shape, replacement);
  return scrubbed;
}

/** Where log lines go: stdout, scrubbed (a function, so tests can read what would be written). */
export function scrubbingDestination(write: (line: string) => void = (line) => process.stdout.write(line)) {
  return { write: (line: string) => write(scrubSecrets(line)) };
}

export function createLogger(
  level: pino.LevelWithSilent,
  destination: { write(line: string): void } = scrubbingDestination(),
) {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedFields, censor: "[redacted]" },
      // The trace this line belongs to, when tracing is on.
      mixin() {
        const span = trace.getActiveSpan()?.spanContext();
        return span && span.traceId !== "00000000000000000000000000000000"
          ? { traceId: span.traceId, spanId: span.spanId }
          : {};
      },
    },
    destination,
  );
}

let root: pino.Logger | undefined;

export function logger(): pino.Logger {
  return (root ??= createLogger(env().LOG_LEVEL));
}

/**
 * A logger for one request: its id (a proxy's X-Request-Id, else the trace id, else a new one) and
 * the tenant and user it acts for.
 */
export function requestLogger(
  bindings: { requestId?: string | null; tenantId?: string; userId?: string } = {},
): pino.Logger {
  const { requestId, ...rest } = bindings;
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return logger().child({ requestId: requestId?.slice(0, 128) || traceId || randomUUID(), ...rest });
}
