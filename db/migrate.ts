import path from "node:path";
import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { roleDatabaseUrl, type DbEnv, type DbRole } from "./env";

const runtimeRoles: DbRole[] = ["app_user", "agent_reader", "platform_admin"];

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
    await owner`insert into app_private.context_key (id, key) values (true, ${Buffer.from(e.TENANT_CONTEXT_SECRET, "utf8")})
                on conflict (id) do update set key = excluded.key`;
    for (const role of runtimeRoles) {
      const password = decodeURIComponent(new URL(roleDatabaseUrl(role, e)).password);
      await owner`select app_private.set_login_password(${role}, ${password})`;
    }
    log("Database migrated; tenant context key and role passwords installed.");
  } finally {
    await owner.end();
  }
}
