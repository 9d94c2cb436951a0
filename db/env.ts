import { createHmac } from "node:crypto";
import { z } from "zod";

/**
 * The database's settings, validated once (on first use, and at server start by instrumentation.ts).
 * The app's other settings are validated in lib/env.ts; no variable is validated in both.
 */
const postgresUrl = z
  .string()
  .url()
  .refine((v) => /^postgres(ql)?:\/\//.test(v), "must be a postgres:// URL");

const schema = z.object({
  /** Owner connection: migrations, seed, role set-up. The app itself never connects with it. */
  DATABASE_URL: postgresUrl.optional(),
  /** Runtime role connections; derived from DATABASE_URL (same server, role name, derived password) when unset. */
  APP_DATABASE_URL: postgresUrl.optional(),
  /**
   * app_user on a hot standby, for reads that may lag the primary by the replication delay
   * (withTenant(…, { read: true })). Unset: those reads go to the primary, still read-only.
   */
  APP_READ_DATABASE_URL: postgresUrl.optional(),
  AGENT_DATABASE_URL: postgresUrl.optional(),
  ADMIN_DATABASE_URL: postgresUrl.optional(),
  /** Signs the tenant context that PostgreSQL verifies. At least 32 characters. */
  TENANT_CONTEXT_SECRET: z.string().min(32, "TENANT_CONTEXT_SECRET must be at least 32 characters"),
  /** Seconds after minting within which a transaction may start with a tenant context. */
  TENANT_CONTEXT_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /**
   * Named server-side prepared statements for the platform_admin pool; set to false behind PgBouncer
   * < 1.21 in transaction mode. The pools subject to RLS never name statements (db/client.ts).
   */
  DB_PREPARE: z
    .enum(["true", "false"])
    .default("true")
    .transform((v) => v === "true"),
  /**
   * The database is a Citus coordinator (docs/scale-out.md): transactions set their context with
   * app.enter_tenant (SET LOCAL, which Citus propagates to the workers) instead of set_config.
   */
  DB_CITUS: z
    .enum(["true", "false"])
    .default("false")
    .transform((v) => v === "true"),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  /** The longest a transaction waits for a pooled connection before it fails (503, never a hang). */
  DB_POOL_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** The longest a new connection may take to open (a server that accepts but does not answer). */
  DB_CONNECT_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(120).default(5),
  /** statement_timeout of every app_user statement in withTenant and withUser, set with the context. */
  DB_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),
  /** Agent SQL (db/agent-sql.ts): per-statement timeout and the most rows one call returns. */
  AGENT_SQL_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  AGENT_SQL_ROW_CAP: z.coerce.number().int().min(1).max(100_000).default(1000),
  /** The most bytes one agent SQL answer may hold (its rows as JSON, measured in PostgreSQL). */
  AGENT_SQL_MAX_BYTES: z.coerce.number().int().min(1_000).max(100_000_000).default(1_000_000),
  /** agent_reader connections per process, and how many of them one tenant may use at once. */
  AGENT_SQL_POOL_MAX: z.coerce.number().int().min(1).max(100).default(5),
  AGENT_SQL_TENANT_CONNECTIONS: z.coerce.number().int().min(1).max(100).default(2),
  /** A tenant's calls beyond its connections wait in its own queue, this many at most. */
  AGENT_SQL_TENANT_QUEUE: z.coerce.number().int().min(0).max(1_000).default(8),
  /** How long a call's outcome waits to be written with others of the same tenant and user. */
  AGENT_SQL_OUTCOME_DELAY_MS: z.coerce.number().int().min(0).max(60_000).default(25),
});

export type DbEnv = z.infer<typeof schema>;

/** The variables validated here (tests/db/env.test.ts checks that lib/env.ts validates none of them). */
export const dbEnvVariables = Object.keys(schema.shape) as (keyof DbEnv)[];

/** Validates a set of variables; throws one error that lists every problem. */
export function parseDbEnv(source: Record<string, string | undefined>): DbEnv {
  const parsed = schema.safeParse(source);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n");
  const hint =
    source.NODE_ENV === "production"
      ? "Production needs TENANT_CONTEXT_SECRET and DATABASE_URL (or the role URLs) set explicitly."
      : "Start the app with `npm run dev`, which provides a database and development secrets.";
  throw new Error(`Invalid database environment:\n${problems}\n${hint}`);
}

let cached: DbEnv | undefined;

export function dbEnv(): DbEnv {
  return (cached ??= parseDbEnv(process.env));
}

export type DbRole = "app_user" | "agent_reader" | "platform_admin";

const explicitUrlVariable = {
  app_user: "APP_DATABASE_URL",
  agent_reader: "AGENT_DATABASE_URL",
  platform_admin: "ADMIN_DATABASE_URL",
} as const satisfies Record<DbRole, keyof DbEnv>;

/** A role's password when its URL is derived: an HMAC of the context secret, so one secret is enough. */
export function derivedRolePassword(secret: string, role: DbRole): string {
  return createHmac("sha256", secret).update(`db-role-password:${role}`).digest("base64url");
}

/** The connection URL of a runtime role: its own variable, else DATABASE_URL with the role's credentials. */
export function roleDatabaseUrl(role: DbRole, e: DbEnv = dbEnv()): string {
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
