/**
 * The isolation boundary's public API: the only module (with ./schema for building queries) that code
 * outside db/ imports. Every way into the database is here, each as its own role:
 *
 *   app_user, tenant data ....... withTenant(tenantId, tx => …): one transaction, signed tenant
 *                                 context set first, RLS on every row (./tenant.ts)
 *   app_user, on the standby .... withTenant(tenantId, tx => …, { read: true }): the same, BEGIN READ
 *                                 ONLY, on the hot standby (APP_READ_DATABASE_URL) when there is one:
 *                                 reads that may lag the primary by the replication delay
 *   app_user, before a tenant ... withUser(userId, tx => …): the user's own row, memberships and
 *                                 their tenants only (./tenant.ts)
 *   app_user, no context ........ one narrow SECURITY DEFINER function per pre-session step: sign-in,
 *                                 sign-up, invitation links, magic links, OAuth (./auth.ts), API-key
 *                                 resolution with its shared rate limit (./api-keys.ts)
 *   app_user, the user's context  server-side sessions: open, check-and-slide, end (./sessions.ts)
 *   agent_reader ................ runCheckedSql(checked, tenantId, limits, audit): agent-written SQL that
 *                                 passed the guard, read only, signed context, timeout, row and byte caps,
 *                                 a per-tenant share of its pool, its audit row in the same round trip
 *                                 (./agent-sql.ts, ./tenant-share.ts)
 *   platform_admin (BYPASSRLS) .. tenantOverview(userId, …): after a database check of the user's
 *                                 platform-admin flag, audited in the same transaction (./platform-admin.ts)
 *
 * Operations: databaseReadiness() checks the above as the health endpoint sees it (./readiness.ts), and
 * closePools() ends every pool at shutdown (./client.ts).
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
 * outside db/. A database that cannot serve a request now (down, restarting, no free connection in
 * DB_POOL_TIMEOUT_MS, statement timeout) surfaces as DatabaseUnavailableError: isDatabaseUnavailable()
 * tells it apart, and the app answers 503 (./errors.ts).
 */
export { withTenant, withUser, isUuid, InvalidTenantIdError, type TenantTx, type TenantOptions } from "./tenant";
export { together } from "./together";
export { lastly } from "./pipelined-transaction";
export {
  signInWithPassword,
  signUp,
  invitationByToken,
  acceptInvitationAsNewUser,
  externalSignIn,
  createMagicLink,
  consumeMagicLink,
  type MagicLinkRequest,
  type SignInResult,
  type InvitationPreview,
} from "./auth";
export { resolveApiKeyHash, type ResolvedApiKey, type RateDecision } from "./api-keys";
export { openSessionRow, sessionAlive, endSession, endOtherSessions } from "./sessions";
export {
  runCheckedSql,
  agentSqlAuditsSettled,
  type CheckedSql,
  type AgentSqlAudit,
  type AgentSqlSettled,
  agentSqlLimits,
  type AgentSqlColumn,
  type AgentSqlLimits,
  type AgentSqlResult,
} from "./agent-sql";
export { TenantBusyError } from "./tenant-share";
export {
  isPlatformAdmin,
  tenantOverview,
  tenantOverviewPageSize,
  revokeSessionsOf,
  NotPlatformAdminError,
  type TenantOverviewRow,
} from "./platform-admin";
export { dbEnv, type DbEnv } from "./env";
export { databaseEngine, type Engine } from "./isolation";
export { databaseReadiness, type Readiness } from "./readiness";
export { closePools } from "./client";
export {
  databaseError,
  sqlState,
  isLastOwnerError,
  isDatabaseUnavailable,
  DatabaseUnavailableError,
  databaseUnavailableDigest,
} from "./errors";
export { demoUsers, demoPassword } from "./seed/demo-accounts";
