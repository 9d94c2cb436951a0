import { createHmac } from "node:crypto";
import { z } from "zod";

/**
 * The environment, validated once. `npm run dev` and `npm test` fill in what is missing for local
 * use (an embedded PostgreSQL, generated secrets); production refuses to start without the secrets.
 */
const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// URL");

// An unset variable and an empty one mean the same: off.
const optionalText = z.preprocess((v) => (v === "" ? undefined : v), z.string().min(1).optional());

const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /** Owner connection: migrations, seed, role set-up. The app itself never connects with it. */
  DATABASE_URL: postgresUrl.optional(),
  /** Runtime role connections; derived from DATABASE_URL (same server, role name, derived password) when unset. */
  APP_DATABASE_URL: postgresUrl.optional(),
  AGENT_DATABASE_URL: postgresUrl.optional(),
  ADMIN_DATABASE_URL: postgresUrl.optional(),
  /** Signs the tenant context that PostgreSQL verifies. At least 32 characters. */
  TENANT_CONTEXT_SECRET: z.string().min(32, "TENANT_CONTEXT_SECRET must be at least 32 characters"),
  /** Seconds after minting within which a transaction may start with a tenant context. */
  TENANT_CONTEXT_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** Auth.js session signing key. */
  AUTH_SECRET: z.string().min(32, "AUTH_SECRET must be at least 32 characters"),
  /**
   * Named server-side prepared statements for the platform_admin pool; set to false behind PgBouncer
   * < 1.21 in transaction mode. The pools subject to RLS never name statements (db/client.ts).
   */
  DB_PREPARE: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** Agent SQL (db/agent-sql.ts): per-statement timeout and the most rows one call returns. */
  AGENT_SQL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  AGENT_SQL_ROW_CAP: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** Requests per minute per API key (token bucket, per server process). */
  API_KEY_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
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
  /** Public base URL for links in emails (invitations, magic links); default: the request's own origin. */
  APP_URL: z.string().url().optional(),
});

const paired = [
  ["AUTH_GITHUB_ID", "AUTH_GITHUB_SECRET"],
  ["AUTH_GOOGLE_ID", "AUTH_GOOGLE_SECRET"],
] as const;

const checkedSchema = schema.superRefine((e, ctx) => {
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
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = checkedSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
    const hint =
      process.env.NODE_ENV === "production"
        ? "Production needs TENANT_CONTEXT_SECRET and AUTH_SECRET set explicitly."
        : "Start the app with `npm run dev`, which provides a database and development secrets.";
    throw new Error(`Invalid environment:\n${problems}\n${hint}`);
  }
  cached = parsed.data;
  return cached;
}

export type DbRole = "app_user" | "agent_reader" | "platform_admin";

const explicitUrlVariable = {
  app_user: "APP_DATABASE_URL",
  agent_reader: "AGENT_DATABASE_URL",
  platform_admin: "ADMIN_DATABASE_URL",
} as const satisfies Record<DbRole, keyof Env>;

/** A role's password when its URL is derived: an HMAC of the context secret, so one secret is enough. */
export function derivedRolePassword(secret: string, role: DbRole): string {
  return createHmac("sha256", secret).update(`db-role-password:${role}`).digest("base64url");
}

/** The connection URL of a runtime role: its own variable, else DATABASE_URL with the role's credentials. */
export function roleDatabaseUrl(role: DbRole, e: Env = env()): string {
  const explicit = e[explicitUrlVariable[role]];
  if (typeof explicit === "string") return explicit;
  if (!e.DATABASE_URL) {
    throw new Error(`Set ${explicitUrlVariable[role]} or DATABASE_URL (from which it is derived).`);
  }
  const url = new URL(e.DATABASE_URL);
  url.username = role;
  url.password = derivedRolePassword(e.TENANT_CONTEXT_SECRET, role);
  return url.toString();
}

export interface LlmSettings {
  baseURL: string;
  apiKey: string | undefined;
  model: string;
}

/** The OpenAI-compatible endpoint for "ask your data", or null when none is configured. */
export function llmSettings(e: Env = env()): LlmSettings | null {
  if (!e.AI_MODEL) return null;
  return { baseURL: e.OPENAI_BASE_URL ?? "https://api.openai.com/v1", apiKey: e.OPENAI_API_KEY, model: e.AI_MODEL };
}
