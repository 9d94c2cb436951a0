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
});

export type Env = z.infer<typeof schema>;

let cached: Env | undefined;

export function env(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
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
