import { newPool, rawPool, readPool } from "./client";
import { contextStatement } from "./context";
import { InvalidTenantIdError, isUuid, type ContextClaims } from "./context-token";
import { dbEnv } from "./env";
import { asDatabaseUnavailable } from "./errors";
import { pipelinedDrizzle, type PipelinedDatabase, type PipelinedTx } from "./pipelined-transaction";

/**
 * The isolation boundary. Every query of tenant data runs inside one of these transactions, as
 * app_user (subject to RLS), with the signed context set by the first statement as a bind parameter
 * and scoped to the transaction (db/context.ts): it is gone at commit and at rollback, so a pooled
 * connection (or PgBouncer in transaction mode) never carries it into the next request.
 */
export type TenantTx = PipelinedTx;

export interface TenantOptions {
  /** The signed-in user, also put in the context. */
  userId?: string;
  /**
   * A read that may be served by the hot standby (APP_READ_DATABASE_URL) and may therefore lag the
   * primary by the replication delay: BEGIN READ ONLY, on the standby's pool when there is one, on the
   * primary's otherwise (so a write in it fails in development as it would in production). Anything
   * that writes, or must see what this request or the one before it wrote, leaves it out.
   */
  read?: boolean;
}

export interface TenantScope {
  /** Runs fn in a transaction that sees only tenantId's rows. */
  withTenant<T>(tenantId: string, fn: (tx: TenantTx) => Promise<T>, options?: TenantOptions): Promise<T>;
  /** Before a tenant is chosen: sees only the user's own row, memberships and their tenants. */
  withUser<T>(userId: string, fn: (tx: TenantTx) => Promise<T>): Promise<T>;
}

// BEGIN, the context and fn's first query travel in one round trip (db/pipelined-transaction.ts): the
// context costs no round trip of its own, and it is still the first statement, before any of fn's. The
// statement timeout is set by the same statement. Errors that mean the database cannot serve the
// request now become DatabaseUnavailableError (db/errors.ts).
function scopeOn(primary: () => PipelinedDatabase, standby: () => PipelinedDatabase): TenantScope {
  function inContext<T>(claims: ContextClaims, fn: (tx: TenantTx) => Promise<T>, read = false): Promise<T> {
    try {
      const context = contextStatement(claims, { statement_timeout: String(dbEnv().DB_STATEMENT_TIMEOUT_MS) });
      return (read ? standby() : primary()).transaction({ context, readOnly: read }, fn).catch((error: unknown) => {
        throw asDatabaseUnavailable(error);
      });
    } catch (error) {
      // An invalid id: rejected before any query.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }
  return {
    withTenant(tenantId, fn, options = {}) {
      // contextStatement() checks the claims it is given; here the tenant (or the user) is required.
      if (!isUuid(tenantId)) return Promise.reject(new InvalidTenantIdError("tenantId", tenantId));
      return inContext({ tenantId, userId: options.userId }, fn, options.read);
    },
    withUser(userId, fn) {
      if (!isUuid(userId)) return Promise.reject(new InvalidTenantIdError("userId", userId));
      return inContext({ userId }, fn);
    },
  };
}

let appDb: PipelinedDatabase | undefined;
let readDb: PipelinedDatabase | undefined;
const primaryDb = () => (appDb ??= pipelinedDrizzle(rawPool("app_user")));
const appScope = scopeOn(primaryDb, () => {
  const standby = readPool();
  return standby ? (readDb ??= pipelinedDrizzle(standby)) : primaryDb();
});

/**
 * The same boundary on a connection pool of its own, as app_user (the benchmark runs two variants of
 * withTenant side by side without them sharing a connection). `end` closes the pool.
 */
export function separateAppUserScope(applicationName: string): TenantScope & { end(): Promise<void> } {
  const pool = newPool("app_user", applicationName);
  const db = pipelinedDrizzle(pool);
  return {
    ...scopeOn(
      () => db,
      () => db,
    ),
    end: () => pool.end({ timeout: 5 }),
  };
}

export const withTenant: TenantScope["withTenant"] = (tenantId, fn, options) =>
  appScope.withTenant(tenantId, fn, options);
export const withUser: TenantScope["withUser"] = (userId, fn) => appScope.withUser(userId, fn);

export { InvalidTenantIdError, isUuid };
