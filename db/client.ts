import postgres from "postgres";
import { drizzle } from "drizzle-orm/postgres-js";
import { env, roleDatabaseUrl, type DbRole } from "@/lib/env";
import * as schema from "./schema";

/**
 * The raw connections, one pool per database role. Only modules in db/ may import this file
 * (enforced by ESLint): app code reaches tenant data through withTenant() in db/tenant.ts.
 */
type Pools = Partial<Record<DbRole, postgres.Sql>>;

// Survives Next's hot reload in development, so edits do not open new pools.
const globalPools = globalThis as unknown as { __rlsStarterPools?: Pools };
const pools: Pools = (globalPools.__rlsStarterPools ??= {});

export function rawPool(role: DbRole): postgres.Sql {
  const existing = pools[role];
  if (existing) return existing;
  const e = env();
  const pool = postgres(roleDatabaseUrl(role, e), {
    max: role === "app_user" ? e.DB_POOL_MAX : 5,
    prepare: e.DB_PREPARE,
    idle_timeout: 30,
    connection: { application_name: `rls-starter:${role}` },
    onnotice: () => undefined,
  });
  pools[role] = pool;
  return pool;
}

export function drizzleOn(client: postgres.Sql) {
  return drizzle({ client, schema });
}

export type AppDatabase = ReturnType<typeof drizzleOn>;

export async function closePools(): Promise<void> {
  const open = Object.entries(pools) as [DbRole, postgres.Sql][];
  await Promise.all(open.map(([role, pool]) => (delete pools[role], pool.end({ timeout: 5 }))));
}
