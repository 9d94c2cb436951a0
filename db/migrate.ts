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
 * The session-level advisory lock that serialises migration runs on one database: instances (or
 * migrate jobs) started together take turns, and the ones after the first find nothing to do. Drizzle's
 * migrator reads the last applied migration before its transaction; two runs reading it at once would
 * both apply everything. Any constant works, as long as every run uses the same one.
 */
export const migrationLockKey = 7_318_245_120_991n;

/** What a run did: how many migrations it applied (0: the database was already current). */
export interface MigrationRun {
  applied: number;
  total: number;
}

async function appliedMigrations(owner: postgres.Sql): Promise<number> {
  // Two statements: a statement naming the table does not even parse before the first run creates it.
  const [table] = await owner<
    { exists: boolean }[]
  >`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`;
  if (!table?.exists) return 0;
  const [row] = await owner<{ n: number }[]>`select count(*)::int as n from drizzle.__drizzle_migrations`;
  return row?.n ?? 0;
}

/**
 * Applies drizzle/ as the owner, then installs what must not live in a migration: the key that
 * verifies tenant contexts (from TENANT_CONTEXT_SECRET) and the runtime roles' passwords (from their
 * connection URLs, explicit or derived). Runs under migrationLockKey, on one connection.
 */
export async function migrateDatabase(
  e: DbEnv,
  log: (line: string) => void = console.log,
  migrationsFolder = path.join(process.cwd(), "drizzle"),
): Promise<MigrationRun> {
  if (!e.DATABASE_URL) throw new Error("DATABASE_URL (the owner connection) is required to migrate.");
  // One connection: the advisory lock belongs to the session that took it, and every statement below runs on it.
  const owner = postgres(e.DATABASE_URL, { max: 1, onnotice: () => undefined });
  try {
    await owner`select pg_advisory_lock(${migrationLockKey.toString()}::bigint)`;
    const before = await appliedMigrations(owner);
    await migrate(drizzle({ client: owner }), { migrationsFolder });
    const total = await appliedMigrations(owner);
    await owner.unsafe(installContextKeySql, [contextKey(e)]);
    for (const role of runtimeRoles) {
      await owner`select app_private.set_login_password(${role}, ${rolePassword(role, e)})`;
    }
    await owner`select pg_advisory_unlock(${migrationLockKey.toString()}::bigint)`;
    const applied = total - before;
    log(
      `${applied === 0 ? "Database schema already current" : `Applied ${applied} migration${applied === 1 ? "" : "s"}`} ` +
        `(${total} in all); tenant context key and role passwords installed.`,
    );
    return { applied, total };
  } finally {
    // Ending the session also releases the lock when a step above failed.
    await owner.end();
  }
}
