import type { memberRoles } from "@/db/schema";

/**
 * Who may do what, in one table: role x resource x action. Every server action and route handler
 * checks it (assertCan) before touching data; RLS separately decides which tenant's rows exist.
 */
export type Role = (typeof memberRoles)[number];

const everyone: readonly Role[] = ["owner", "admin", "member", "viewer"];
const writers: readonly Role[] = ["owner", "admin", "member"];
const managers: readonly Role[] = ["owner", "admin"];
const owners: readonly Role[] = ["owner"];

export const permissions = {
  conversations: { read: everyone, create: writers, export: writers },
  agents: { read: everyone, create: managers, update: managers },
  members: {
    read: everyone,
    invite: managers,
    changeRole: managers,
    remove: managers,
    manageOwners: owners,
    leave: everyone,
  },
  apiKeys: { read: managers, create: managers, revoke: managers },
  auditLog: { read: managers },
  agentSql: { run: everyone },
  tenant: { update: owners, switch: everyone },
  // One's own profile and password (the same for every role; listed so every action has a row here).
  account: { update: everyone },
} as const satisfies Record<string, Record<string, readonly Role[]>>;

export type Resource = keyof typeof permissions;
export type Action<R extends Resource> = keyof (typeof permissions)[R];

export function can<R extends Resource>(role: Role, resource: R, action: Action<R>): boolean {
  const allowed = permissions[resource][action] as readonly Role[];
  return allowed.includes(role);
}

export class ForbiddenError extends Error {
  readonly status = 403;
  constructor(resource: string, action: string, role: Role) {
    super(`A ${role} cannot ${action} ${resource}.`);
    this.name = "ForbiddenError";
  }
}

export function assertCan<R extends Resource>(role: Role, resource: R, action: Action<R>): void {
  if (!can(role, resource, action)) throw new ForbiddenError(resource, String(action), role);
}
