/**
 * The three pieces of the isolation design whose text depends on the engine, each written once here
 * with both variants derived from it: single-node PostgreSQL, and Citus (db/citus/, docs/scale-out.md).
 *
 * - The tenant predicate of the policies. Single-node: `(select app.current_tenant_id())`, an InitPlan
 *   evaluated once per query. Citus refuses any subquery in a policy on a distributed table ("Subqueries
 *   are not supported in policies on distributed tables"), so there it is the bare call, which the
 *   planner still evaluates once per query when it is an index condition (it is STABLE).
 * - The context setter, the first statement of every transaction. Single-node: `set_config(…, true)`.
 *   Citus does not propagate set_config to the workers (they would see no context: every query empty),
 *   but it does propagate SET LOCAL (citus.propagate_set_commands = 'local'), also when run by a
 *   function: app.enter_tenant(ctx) runs `execute format('set local app.tenant_ctx = %L', ctx)`. The
 *   token is a bind parameter either way, never part of the statement's text.
 * - The key that verifies contexts: one row in app_private.context_key, a plain table. On Citus every
 *   node holds its own copy (the verifier runs on the workers and must not read a distributed table).
 */
import { dbEnv } from "./env";

export type Engine = "postgres" | "citus";

/** The engine DATABASE_URL points at: a Citus coordinator when DB_CITUS=true. */
export const databaseEngine = (): Engine => (dbEnv().DB_CITUS ? "citus" : "postgres");

/** The verified tenant of the transaction, as a policy calls it. */
export function currentTenantCall(engine: Engine): string {
  return engine === "citus" ? "app.current_tenant_id()" : "(select app.current_tenant_id())";
}

/** The policy condition of every tenant table: the row's tenant is the verified context's. */
export function tenantPredicate(engine: Engine): string {
  return `tenant_id = ${currentTenantCall(engine)}`;
}

/** Sets the signed context (bind parameter `placeholder`) for the rest of the transaction. */
export function contextSetterCall(engine: Engine, placeholder: string): string {
  return engine === "citus"
    ? `app.enter_tenant(${placeholder})`
    : `set_config('${contextSettingName}', ${placeholder}, true)`;
}

/** Sets one more transaction-local setting (name and value: bind parameters) next to the context. */
export function localSettingCall(engine: Engine, name: string, value: string): string {
  return engine === "citus" ? `app.set_local_setting(${name}, ${value})` : `set_config(${name}, ${value}, true)`;
}

export const contextSettingName = "app.tenant_ctx";

/** Installs (or replaces) the context key; `$1` is the key's bytes. Run on every node. */
export const installContextKeySql =
  "insert into app_private.context_key (id, key) values (true, $1) on conflict (id) do update set key = excluded.key";
