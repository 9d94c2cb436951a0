import { and, asc, eq, type SQL } from "drizzle-orm";
import { withUser, type TenantTx } from "@/db";
import { memberships, tenants, users } from "@/db/schema";

/**
 * The tenants a user belongs to, by name, inside a context that names the user (withUser, or withTenant
 * with the user): the policies show a user their own memberships in every tenant. Unawaited, to go
 * with other statements.
 */
export function tenantsOf(tx: TenantTx, userId: string) {
  return tx
    .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, role: memberships.role })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .where(eq(memberships.userId, userId))
    .orderBy(asc(tenants.name));
}

/** The tenants a user belongs to, read inside the user's own signed context (no tenant yet). */
export function userTenants(userId: string) {
  return withUser(userId, (tx) => tenantsOf(tx, userId));
}

/**
 * The user's membership of one tenant, with what every page shows of the user and the tenant, and
 * whether the session is alive (`sessionAlive`, db/sessions.ts: evaluated for the one row, it slides
 * the session). Returned unawaited, so it goes out with BEGIN, the context and COMMIT in one
 * round trip (with the user's workspaces, lookupTenantSession): it is on every request.
 */
export function membership(tx: TenantTx, userId: string, tenantId: string, sessionAlive: SQL<boolean>) {
  return tx
    .select({
      role: memberships.role,
      tenantName: tenants.name,
      tenantSlug: tenants.slug,
      userName: users.name,
      email: users.email,
      isPlatformAdmin: users.isPlatformAdmin,
      sessionAlive,
    })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
}
