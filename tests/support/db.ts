import { sql } from "drizzle-orm";
import postgres from "postgres";
import { dbEnv } from "@/db/env";
import { rawPool } from "@/db/client";
import { loadCatalog } from "@/db/rls-lint/catalog";
import { rlsLintSettings } from "@/db/rls-lint/settings";
import { mintContextToken } from "@/db/context-token";
import { contextSetterCall, databaseEngine } from "@/db/isolation";

/**
 * Tables that carry tenant data in the public schema, read from the live catalog (so a new table is
 * covered automatically), by the RLS lint's definition: a tenant_id column or a foreign key to tenants.
 */
export async function tenantTables(): Promise<string[]> {
  const catalog = await loadCatalog(ownerSql(), rlsLintSettings.roles);
  return catalog.tenantTables
    .filter((t) => t.schema === "public")
    .map((t) => t.name)
    .sort();
}

let owner: postgres.Sql | undefined;
export function ownerSql(): postgres.Sql {
  return (owner ??= postgres(dbEnv().DATABASE_URL!, { max: 2, onnotice: () => undefined }));
}

/** The BYPASSRLS control: what an attacker would see if the policies were not there. */
export const adminSql = () => rawPool("platform_admin");
export const appSql = () => rawPool("app_user");

export async function tenantIdsBySlug(): Promise<Record<string, string>> {
  const rows = await adminSql()<{ id: string; slug: string }[]>`select id, slug from tenants order by slug`;
  return Object.fromEntries(rows.map((r) => [r.slug, r.id]));
}

export function token(
  claims: { tenantId?: string; userId?: string },
  options: { ttlSeconds?: number; nowMs?: number; secret?: string } = {},
) {
  const e = dbEnv();
  return mintContextToken(claims, options.secret ?? e.TENANT_CONTEXT_SECRET, options.ttlSeconds ?? 30, options.nowMs);
}

/**
 * Sets exactly `ctx` as the transaction's context with the engine's setter (db/isolation.ts): set_config
 * on single-node PostgreSQL, app.enter_tenant on Citus (DB_CITUS=true).
 */
export function setContext(tx: postgres.TransactionSql, ctx: string) {
  return tx.unsafe(`select ${contextSetterCall(databaseEngine(), "$1")}`, [ctx]);
}

/** Runs one statement as app_user in a transaction whose context is exactly `ctx` (or none). */
export async function asAppUserWithContext<T extends postgres.Row>(
  ctx: string | null,
  query: (tx: postgres.TransactionSql) => Promise<T[]>,
): Promise<T[]> {
  return appSql().begin(async (tx) => {
    if (ctx !== null) await setContext(tx, ctx);
    return query(tx);
  }) as Promise<T[]>;
}

export { sql };

/** Drizzle wraps driver errors ("Failed query: …", cause: the PostgreSQL error): match either. */
export async function rejectsWith(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (error) {
    const messages: string[] = [];
    for (let e: unknown = error; e instanceof Error; e = e.cause) messages.push(e.message);
    if (messages.some((m) => pattern.test(m))) return;
    throw new Error(`expected an error matching ${pattern}, got: ${messages.join(" <- ")}`);
  }
  throw new Error(`expected an error matching ${pattern}, but it succeeded`);
}
