import { sql } from "drizzle-orm";
import postgres from "postgres";
import { env } from "@/lib/env";
import { rawPool } from "@/db/client";
import { mintContextToken } from "@/db/context-token";

/** Tables that carry tenant data, read from the live catalog (so a new table is covered automatically). */
export async function tenantTables(): Promise<string[]> {
  const owner = ownerSql();
  const rows = await owner<{ table_name: string }[]>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t using (table_schema, table_name)
    where c.table_schema = 'public' and c.column_name = 'tenant_id' and t.table_type = 'BASE TABLE'
    order by 1`;
  return rows.map((r) => r.table_name);
}

let owner: postgres.Sql | undefined;
export function ownerSql(): postgres.Sql {
  return (owner ??= postgres(env().DATABASE_URL!, { max: 2, onnotice: () => undefined }));
}

/** The BYPASSRLS control: what an attacker would see if the policies were not there. */
export const adminSql = () => rawPool("platform_admin");
export const appSql = () => rawPool("app_user");

export async function tenantIdsBySlug(): Promise<Record<string, string>> {
  const rows = await adminSql()<{ id: string; slug: string }[]>`select id, slug from tenants order by slug`;
  return Object.fromEntries(rows.map((r) => [r.slug, r.id]));
}

export function token(claims: { tenantId?: string; userId?: string }, options: { ttlSeconds?: number; nowMs?: number; secret?: string } = {}) {
  const e = env();
  return mintContextToken(claims, options.secret ?? e.TENANT_CONTEXT_SECRET, options.ttlSeconds ?? 30, options.nowMs);
}

/** Runs one statement as app_user in a transaction whose context is exactly `ctx` (or none). */
export async function asAppUserWithContext<T extends postgres.Row>(ctx: string | null, query: (tx: postgres.TransactionSql) => Promise<T[]>): Promise<T[]> {
  return appSql().begin(async (tx) => {
    if (ctx !== null) await tx`select set_config('app.tenant_ctx', ${ctx}, true)`;
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
