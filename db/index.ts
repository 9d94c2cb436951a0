/**
 * The isolation boundary's public API: the only module (with ./schema for building queries) that code
 * outside db/ imports. Every way into the database is here, each as its own role:
 *
 *   app_user, tenant data ....... withTenant(tenantId, tx => …): one transaction, signed tenant
 *                                 context set first, RLS on every row (./tenant.ts)
 *   app_user, before a tenant ... withUser(userId, tx => …): the user's own row, memberships and
 *                                 their tenants only (./tenant.ts)
 *   app_user, no context ........ one narrow SECURITY DEFINER function per pre-session step: sign-in,
 *                                 sign-up, invitation links, magic links, OAuth (./auth.ts), API-key
 *                                 resolution (./api-keys.ts)
 *   agent_reader ................ runCheckedSql(checked, tenantId): agent-written SQL that passed the
 *                                 guard, read only, signed context, timeout and row cap (./agent-sql.ts)
 *   platform_admin (BYPASSRLS) .. tenantOverview(userId, …): after a database check of the user's
 *                                 platform-admin flag, audited in the same transaction (./platform-admin.ts)
 *
 * The owner role (DATABASE_URL) only migrates and seeds (./migrate.ts, ./seed): scripts and tests use
 * those directly; the app never connects as the owner.
 *
 * On a Citus coordinator (DB_CITUS=true) the same design holds with the variants of ./isolation.ts, and
 * ./citus/ distributes the schema (docs/scale-out.md).
 *
 * Every transaction above that is subject to RLS starts with the one context statement (./context.ts)
 * on the pipelined transaction (./pipelined-transaction.ts). The database's settings are validated
 * in ./env.ts (dbEnv(), checked at server start by instrumentation.ts); db/ imports nothing from
 * outside db/.
 */
export { withTenant, withUser, isUuid, InvalidTenantIdError, type TenantTx } from "./tenant";
export { together } from "./together";
export {
  signInWithPassword,
  signUp,
  invitationByToken,
  acceptInvitationAsNewUser,
  externalSignIn,
  createMagicLink,
  consumeMagicLink,
  type SignInResult,
  type InvitationPreview,
} from "./auth";
export { resolveApiKeyHash, type ResolvedApiKey } from "./api-keys";
export {
  runCheckedSql,
  type CheckedSql,
  agentSqlLimits,
  type AgentSqlColumn,
  type AgentSqlLimits,
  type AgentSqlResult,
} from "./agent-sql";
export {
  isPlatformAdmin,
  tenantOverview,
  tenantOverviewPageSize,
  NotPlatformAdminError,
  type TenantOverviewRow,
} from "./platform-admin";
export { dbEnv, type DbEnv } from "./env";
export { databaseEngine, type Engine } from "./isolation";
export { databaseError, sqlState, isLastOwnerError } from "./errors";
export { demoUsers, demoPassword } from "./seed/demo-accounts";
