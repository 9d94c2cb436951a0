import path from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { roleDatabaseUrl, type DbEnv, type DbRole } from "./env";
import { installContextKeySql } from "./isolation";

export const runtimeRoles: DbRole[] = ["app_user", "agent_reader", "platform_admin"];

/** The bytes of the key that verifies tenant contexts (installed on every node of a Citus cluster too). */
export const contextKey = (e: DbEnv): Buffer => Buffer.from(e.TENANT_CONTEXT_SECRET, "utf8");

/** A runtime role's password, from its connection URL (explicit or derived). */
export const rolePassword = (role: DbRole, e: DbEnv): string =>
  decodeURIComponent(new URL(roleDatabaseUrl(role, e)).password);

/**
 * Applies drizzle/ as the owner, then installs what must not live in a migration: the key that
 * verifies tenant contexts (from TENANT_CONTEXT_SECRET) and the runtime roles' passwords (from their
 * connection URLs, explicit or derived).
 */
export async function migrateDatabase(e: DbEnv, log: (line: string) => void = console.log): Promise<void> {
  if (!e.DATABASE_URL) throw new Error("DATABASE_URL (the owner connection) is required to migrate.");
  const owner = postgres(e.DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    await migrate(drizzle({ client: owner }), { migrationsFolder: path.join(process.cwd(), "drizzle") });
    await owner.unsafe(installContextKeySql, [contextKey(e)]);
    for (const role of runtimeRoles) {
      await owner`select app_private.set_login_password(${role}, ${rolePassword(role, e)})`;
    }
    log("Database migrated; tenant context key and role passwords installed.");
  } finally {
    await owner.end();
  }
}
