import type { memberRoles } from "@/db/schema";

/**
 * Who may do what, in one table: role x permission. Pages (requireTenant), server actions
 * (tenantAction) and route handlers (routeCaller) all check it the same way, before they read or
 * write anything; RLS separately decides which tenant's rows exist.
 */
export type Role = (typeof memberRoles)[number];

const everyone: readonly Role[] = ["owner", "admin", "member", "viewer"];
const writers: readonly Role[] = ["owner", "admin", "member"];
const managers: readonly Role[] = ["owner", "admin"];
const owners: readonly Role[] = ["owner"];

export const permissions = {
  "conversations.read": everyone,
  "conversations.create": writers,
  "conversations.export": writers,
  "agents.read": everyone,
  "agents.create": managers,
  "agents.update": managers,
  "members.read": everyone,
  "members.invite": managers,
  "members.changeRole": managers,
  "members.remove": managers,
  "members.manageOwners": owners,
  "members.leave": everyone,
  "apiKeys.read": managers,
  "apiKeys.create": managers,
  "apiKeys.revoke": managers,
  "auditLog.read": managers,
  "agentSql.run": everyone,
  "tenant.switch": everyone,
  // One's own profile and password: the same for every role, listed so every action has a row.
  "account.update": everyone,
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof permissions;

/** What an API key may do for its tenant (it has no role: the key is the tenant). */
export const apiKeyPermissions: readonly Permission[] = ["conversations.read", "conversations.create", "agentSql.run"];

/** The refusal, in words: "A viewer cannot invite members." */
const refusals: Record<Permission, string> = {
  "conversations.read": "read conversations",
  "conversations.create": "create conversations",
  "conversations.export": "export conversations",
  "agents.read": "read agents",
  "agents.create": "create agents",
  "agents.update": "change agents",
  "members.read": "see the members",
  "members.invite": "invite members",
  "members.changeRole": "change members' roles",
  "members.remove": "remove members",
  "members.manageOwners": "manage owners",
  "members.leave": "leave the workspace",
  "apiKeys.read": "see API keys",
  "apiKeys.create": "create API keys",
  "apiKeys.revoke": "revoke API keys",
  "auditLog.read": "read the audit log",
  "agentSql.run": "run agent SQL",
  "tenant.switch": "switch to this workspace",
  "account.update": "change this account",
};

export function can(role: Role, permission: Permission): boolean {
  return permissions[permission].includes(role);
}

/** Who was refused: a role, or an API key. */
export function refusal(who: Role | "API key", permission: Permission): string {
  const article = /^[aeiou]/i.test(who) ? "An" : "A";
  return `${article} ${who} cannot ${refusals[permission]}.`;
}
