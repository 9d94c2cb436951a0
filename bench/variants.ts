import { sql } from "drizzle-orm";
import postgres from "postgres";
import { drizzleOn, rawPool } from "@/db/client";
import { mintContextToken } from "@/db/context-token";
import { withTenant } from "@/db/tenant";
import { env } from "@/lib/env";
import type { BenchQuery, QueryParams } from "./queries";

/**
 * The ways of running one query, side by side on the same tables:
 * - app filter: `WHERE tenant_id = $1`, as a BYPASSRLS role, one statement, no transaction;
 * - app filter in a transaction: the same inside BEGIN … COMMIT (Drizzle's db.transaction);
 * - withTenant: no tenant filter, through the real withTenant (signed context, RLS);
 * - withTenant + filter: the app's query as it is, tenant filter included, through withTenant;
 * - first slice: a frozen copy of the first slice's withTenant (db.transaction, then an awaited
 *   set_config), the before/after reference while db/tenant.ts changes.
 * The app-filter pool has the options db/client.ts gives app_user's pool (unnamed statements) and
 * goes through the same drizzleOn wrapper: both sides take the same driver path.
 */
export const variantNames = ["app-filter", "app-filter-tx", "with-tenant", "with-tenant-filter", "first-slice"] as const;
export type VariantName = (typeof variantNames)[number];

export const variantLabels: Record<VariantName, string> = {
  "app-filter": "app filter",
  "app-filter-tx": "app filter in a transaction",
  "with-tenant": "withTenant",
  "with-tenant-filter": "withTenant + explicit filter",
  "first-slice": "withTenant as in the first slice",
};

export type RunVariant = (query: BenchQuery, params: QueryParams) => Promise<unknown>;

export interface Variants {
  run: Record<VariantName, RunVariant>;
  close(): Promise<void>;
}

/** rawPool("app_user")'s options (db/client.ts), for another role's URL. */
export function appUserLikePool(url: string, max: number, applicationName: string): postgres.Sql {
  return postgres(url, { max, prepare: false, idle_timeout: 30, connection: { application_name: applicationName }, onnotice: () => undefined });
}

/** The first slice's withTenant, on the app_user pool: kept for before/after figures only. */
function firstSliceWithTenant() {
  const db = drizzleOn(rawPool("app_user"));
  return <T>(tenantId: string, fn: (tx: Parameters<Parameters<typeof db.transaction>[0]>[0]) => Promise<T>) => {
    const e = env();
    const token = mintContextToken({ tenantId }, e.TENANT_CONTEXT_SECRET, e.TENANT_CONTEXT_TTL_SECONDS);
    return db.transaction(async (tx) => {
      await tx.execute(sql`select set_config('app.tenant_ctx', ${token}, true)`);
      return fn(tx);
    });
  };
}

export function createVariants(appFilterUrl: string, poolMax: number): Variants {
  const appFilterPool = appUserLikePool(appFilterUrl, poolMax, "bench:app-filter");
  const appFilter = drizzleOn(appFilterPool);
  const firstSlice = firstSliceWithTenant();
  const rls = (tenant: string | undefined) => ({ tenant, rls: true });
  return {
    run: {
      "app-filter": (q, p) => q.run(appFilter, { tenant: p.tenantId, rls: false }, p),
      "app-filter-tx": (q, p) => appFilter.transaction((tx) => q.run(tx, { tenant: p.tenantId, rls: false }, p)),
      "with-tenant": (q, p) => withTenant(p.tenantId, (tx) => q.run(tx, rls(undefined), p)),
      "with-tenant-filter": (q, p) => withTenant(p.tenantId, (tx) => q.run(tx, rls(p.tenantId), p)),
      "first-slice": (q, p) => firstSlice(p.tenantId, (tx) => q.run(tx, rls(undefined), p)),
    },
    close: () => appFilterPool.end({ timeout: 5 }),
  };
}
