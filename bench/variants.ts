import { sql } from "drizzle-orm";
import postgres from "postgres";
import { drizzleOn } from "@/db/client";
import { mintContextToken } from "@/db/context-token";
import { separateAppUserScope, withTenant } from "@/db/tenant";
import { dbEnv, roleDatabaseUrl } from "@/db/env";
import type { BenchQuery } from "./queries";
import type { QueryParams } from "./workload";

/**
 * The ways of running one query, side by side on the same tables:
 * - app filter: `WHERE tenant_id = $1`, as a BYPASSRLS role, one statement, no transaction;
 * - app filter in a transaction: the same inside BEGIN … COMMIT (Drizzle's db.transaction);
 * - withTenant: no tenant filter, through the real withTenant (signed context, RLS);
 * - withTenant + filter: the app's query as it is, tenant filter included, through withTenant;
 * - unpipelined: withTenant on a plain Drizzle transaction (db.transaction, then an awaited
 *   set_config), the before/after reference while db/tenant.ts changes.
 * The app-filter pools have the options db/client.ts gives app_user's pool (unnamed statements) and
 * go through the same drizzleOn wrapper: both sides take the same driver path.
 */
export const variantNames = [
  "app-filter",
  "app-filter-tx",
  "with-tenant",
  "with-tenant-filter",
  "unpipelined",
] as const;
export type VariantName = (typeof variantNames)[number];

export const variantLabels: Record<VariantName, string> = {
  "app-filter": "app filter",
  "app-filter-tx": "app filter in a transaction",
  "with-tenant": "withTenant",
  "with-tenant-filter": "withTenant + explicit filter",
  unpipelined: "withTenant without pipelining",
};

export type RunVariant = (query: BenchQuery, params: QueryParams) => Promise<unknown>;

export interface Variants {
  run: Record<VariantName, RunVariant>;
  close(): Promise<void>;
}

/** rawPool("app_user")'s options (db/client.ts), for another role's URL. */
export function appUserLikePool(url: string, max: number, applicationName: string): postgres.Sql {
  return postgres(url, {
    max,
    prepare: false,
    idle_timeout: 30,
    connection: { application_name: applicationName },
    onnotice: () => undefined,
  });
}

/** A plain Drizzle withTenant, on an app_user pool of its own: kept for before/after figures only. */
function unpipelinedWithTenant(poolMax: number) {
  const pool = appUserLikePool(roleDatabaseUrl("app_user"), poolMax, "bench:unpipelined");
  const db = drizzleOn(pool);
  const run = <T>(tenantId: string, fn: (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) => Promise<T>) => {
    const e = dbEnv();
    const token = mintContextToken({ tenantId }, e.TENANT_CONTEXT_SECRET, e.TENANT_CONTEXT_TTL_SECONDS);
    return db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.tenant_ctx', ${token}, true)`);
      return fn(tx);
    });
  };
  return { run, end: () => pool.end({ timeout: 5 }) };
}

/**
 * Every variant has a connection of its own, so none is measured on a connection the others also use
 * (with the unpipelined variant on withTenant's connection, count under withTenant measured 1.25x
 * the app filter in a transaction in an interleaved run, 1.09-1.15x with each on its own).
 * withTenant is the app's own (rawPool("app_user")); withTenant + filter is the same code on another
 * app_user pool (separateAppUserScope).
 */
export function createVariants(appFilterUrl: string, poolMax: number): Variants {
  const appFilterPool = appUserLikePool(appFilterUrl, poolMax, "bench:app-filter");
  const appFilterTxPool = appUserLikePool(appFilterUrl, poolMax, "bench:app-filter-tx");
  const appFilter = drizzleOn(appFilterPool);
  const appFilterTx = drizzleOn(appFilterTxPool);
  const withFilterScope = separateAppUserScope("bench:with-tenant-filter");
  const unpipelined = unpipelinedWithTenant(poolMax);
  const rls = (tenant: string | undefined) => ({ tenant, rls: true });
  return {
    run: {
      "app-filter": (q, p) => q.run(appFilter, { tenant: p.tenantId, rls: false, sequential: true }, p),
      "app-filter-tx": (q, p) => appFilterTx.transaction((tx) => q.run(tx, { tenant: p.tenantId, rls: false }, p)),
      "with-tenant": (q, p) => withTenant(p.tenantId, (tx) => q.run(tx, rls(undefined), p)),
      "with-tenant-filter": (q, p) => withFilterScope.withTenant(p.tenantId, (tx) => q.run(tx, rls(p.tenantId), p)),
      unpipelined: (q, p) => unpipelined.run(p.tenantId, (tx) => q.run(tx, rls(undefined), p)),
    },
    close: async () => {
      await Promise.all([
        appFilterPool.end({ timeout: 5 }),
        appFilterTxPool.end({ timeout: 5 }),
        withFilterScope.end(),
        unpipelined.end(),
      ]);
    },
  };
}
