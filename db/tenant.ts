import { env } from "@/lib/env";
import { drizzleOn, rawPool, type AppDatabase } from "./client";
import { pipelinedTransaction, type PipelinedTx } from "./pipelined-transaction";
import { InvalidTenantIdError, isUuid, contextToken, type ContextClaims } from "./context-token";

/**
 * The isolation boundary. Every query of tenant data runs inside one of these transactions, as
 * app_user (subject to RLS), with the signed context set by the first statement as a bind parameter
 * and scoped to the transaction (is_local = true): it is gone at commit and at rollback, so a pooled
 * connection (or PgBouncer in transaction mode) never carries it into the next request.
 */
export type TenantTx = PipelinedTx;

let appDb: AppDatabase | undefined;
function database(): AppDatabase {
  return (appDb ??= drizzleOn(rawPool("app_user")));
}

// BEGIN, the context and fn's first query travel in one round trip (db/pipelined-transaction.ts): the
// context costs no round trip of its own, and it is still the first statement, before any of fn's.
async function inContext<T>(claims: ContextClaims, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  const e = env();
  const token = contextToken(claims, e.TENANT_CONTEXT_SECRET, e.TENANT_CONTEXT_TTL_SECONDS);
  return pipelinedTransaction(database(), (connection) => [connection`select set_config('app.tenant_ctx', ${token}, true)`], fn);
}

/** Runs fn in a transaction that sees only tenantId's rows. userId, when given, is the signed-in user. */
export function withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>, options: { userId?: string } = {}): Promise<T> {
  if (!isUuid(tenantId)) return Promise.reject(new InvalidTenantIdError("tenantId", tenantId));
  if (options.userId !== undefined && !isUuid(options.userId)) {
    return Promise.reject(new InvalidTenantIdError("userId", options.userId));
  }
  return inContext({ tenantId: tenantId.toLowerCase(), userId: options.userId?.toLowerCase() }, fn);
}

/** Before a tenant is chosen: sees only the user's own row, memberships and their tenants. */
export function withUser<T>(userId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  if (!isUuid(userId)) return Promise.reject(new InvalidTenantIdError("userId", userId));
  return inContext({ userId: userId.toLowerCase() }, fn);
}

export { InvalidTenantIdError, isUuid };
