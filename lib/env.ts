import { z } from "zod";

/**
 * The app's environment, validated once. `npm run dev` and `npm test` fill in what is missing for
 * local use (generated secrets); production refuses to start without them. The database's settings
 * (connection URLs, tenant context secret, pool, agent SQL limits) are validated in db/env.ts, not here.
 */

// An unset variable and an empty one mean the same: off.
const optionalText = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Auth.js session signing key. */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters"),
  /** Requests per minute per API key (token bucket in PostgreSQL, shared by every server instance). */
  API_KEY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
  /** A session ends after this long without a request (it slides with activity). Default: 3 days. */
  SESSION_IDLE_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(60 * 60 * 24 * 365)
    .default(60 * 60 * 24 * 3),
  /** A session ends this long after sign-in, however active. Default: 30 days. */
  SESSION_MAX_AGE_SECONDS: z.coerce
    .number()
    .int()
    .min(60)
    .max(60 * 60 * 24 * 365)
    .default(60 * 60 * 24 * 30),
  /** Ask your data: any OpenAI-compatible endpoint (OpenAI, Ollama, vLLM). All optional; see llmSettings(). */
  OPENAI_BASE_URL: z.string().url().optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  AI_MODEL: z.string().min(1).optional(),
  /** Sign-in providers besides email + password: each turns on when its variables are set. */
  AUTH_GITHUB_ID: optionalText,
  AUTH_GITHUB_SECRET: optionalText,
  AUTH_GOOGLE_ID: optionalText,
  AUTH_GOOGLE_SECRET: optionalText,
  /** Email magic links (sign-in by a single-use link sent by email). */
  AUTH_MAGIC_LINKS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  /** How email leaves: `log` writes it to the server log (development). See lib/mailer.ts to add a transport. */
  MAIL_TRANSPORT: z.enum(["log"]).default("log"),
  MAIL_FROM: z.string().min(3).default("RLS Starter <no-reply@localhost>"),
  /**
   * Public base URL for links in emails (invitations, magic links), never taken from the request's
   * Host or X-Forwarded-Host. Required in production; development and tests default to localhost.
   */
  APP_URL: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  /** OpenTelemetry traces go over OTLP/HTTP to `<this>/v1/traces` when set; unset, tracing is off. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.preprocess((v) => (v === "" ? undefined : v), z.string().url().optional()),
  /** The `service.name` of the traces. */
  OTEL_SERVICE_NAME: z.string().min(1).default("rls-starter"),
  /** The least severe log lines written (JSON, one per line, on stdout). */
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});

const paired = [
  ["AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET"],
  ["AUTH_GOOGLE_ID", "AUTH_GOOGLE_SECRET"],
] as const;

// The cross-field checks run even when a field is invalid (`when`), so one error lists every problem.
const checkedSchema = schema.superRefine(
  (e, ctx) => {
    for (const [id, secret] of paired) {
      if (Boolean(e[id]) !== Boolean(e[secret])) {
        ctx.addIssue({
          code: "custom",
          path: [e[id] ? secret : id],
          message: `${id} and ${secret} are set together or not at all`,
        });
      }
    }
    if (e.AUTH_MAGIC_LINKS && e.NODE_ENV === "production" && e.MAIL_TRANSPORT === "log") {
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_MAGIC_LINKS"],
        message: "magic links need a mail transport that delivers (MAIL_TRANSPORT=log only writes to the server log)",
      });
    }
    // Invitation links are always on, magic links when enabled: in production every email link needs it.
    if (e.NODE_ENV === "production" && !e.APP_URL) {
      ctx.addIssue({
        code: "custom",
        path: ["APP_URL"],
        message: `APP_URL (the public base URL) is required in production: invitation${e.AUTH_MAGIC_LINKS ? " and sign-in" : ""} links are built from it, never from the request's Host`,
      });
    }
    if (e.SESSION_IDLE_TIMEOUT_SECONDS > e.SESSION_MAX_AGE_SECONDS) {
      ctx.addIssue({
        code: "custom",
        path: ["SESSION_IDLE_TIMEOUT_SECONDS"],
        message: "cannot be longer than SESSION_MAX_AGE_SECONDS (the absolute lifetime)",
      });
    }
    const anyLlm = e.OPENAI_BASE_URL ?? e.OPENAI_API_KEY ?? e.AI_MODEL;
    if (anyLlm !== undefined && !e.AI_MODEL) {
      ctx.addIssue({
        code: "custom",
        path: ["AI_MODEL"],
        message: "AI_MODEL is required when OPENAI_BASE_URL or OPENAI_API_KEY is set",
      });
    }
    if (e.AI_MODEL && !e.OPENAI_BASE_URL && !e.OPENAI_API_KEY) {
      ctx.addIssue({
        code: "custom",
        path: ["OPENAI_BASE_URL"],
        message: "set OPENAI_BASE_URL (local server) or OPENAI_API_KEY (OpenAI) with AI_MODEL",
      });
    }
  },
  { when: () => true },
);

export type Env = z.infer<typeof schema>;

/** The variables validated here (tests/db/env.test.ts checks that db/env.ts validates none of them). */
export const envVariables = Object.keys(schema.shape) as (keyof Env)[];

/** Validates a set of variables; throws one error that lists every problem. */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = checkedSchema.safeParse(source);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  const hint =
    source.NODE_ENV === "production"
      ? "Production needs AUTH_SECRET and APP_URL set explicitly."
      : "Start the app with `npm run dev`, which provides development secrets.";
  throw new Error(`Invalid environment:\n${problems}\n${hint}`);
}

let cached: Env | undefined;

export function env(): Env {
  return (cached ??= parseEnv(process.env));
}

export interface LlmSettings {
  baseURL: string;
  apiKey: string | undefined;
  model: string;
}

/** The OpenAI-compatible endpoint for "ask your data", or null when none is configured. */
/** The base URL of links that leave the app (emails): APP_URL, or localhost outside production. */
export function appUrl(e: Env = env()): string {
  return e.APP_URL ?? "http://localhost:3000";
}

export function llmSettings(e: Env = env()): LlmSettings | null {
  if (!e.AI_MODEL) return null;
  return { baseURL: e.OPENAI_BASE_URL ?? "https://api.openai.com/v1", apiKey: e.OPENAI_API_KEY, model: e.AI_MODEL };
}
