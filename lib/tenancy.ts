import { cache } from "react";
import { redirect } from "next/navigation";
import { and, asc, eq } from "drizzle-orm";
import { auth } from "@/auth";
import { memberships, tenants, users, type memberRoles } from "@/db/schema";
import { withTenant, withUser, isUuid, type TenantTx } from "@/db";

export interface TenantSession {
  userId: string;
  userName: string;
  email: string;
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  role: (typeof memberRoles)[number];
  /** For showing the admin link only; /admin re-reads the flag itself (db/platform-admin.ts). */
  isPlatformAdmin: boolean;
}

/** The tenants a user belongs to, read inside the user's own signed context (no tenant yet). */
export function userTenants(userId: string) {
  return withUser(userId, (tx) =>
    tx
      .select({ id: tenants.id, slug: tenants.slug, name: tenants.name, role: memberships.role })
      .from(memberships)
      .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
      .where(eq(memberships.userId, userId))
      .orderBy(asc(tenants.name)),
  );
}

// Returned unawaited, so withTenant runs it as the transaction's only statement, in one round trip
// (db/pipelined-transaction.ts): it is on every request.
function membershipRows(tx: TenantTx, userId: string, tenantId: string) {
  return tx
    .select({
      role: memberships.role,
      tenantName: tenants.name,
      tenantSlug: tenants.slug,
      userName: users.name,
      email: users.email,
      isPlatformAdmin: users.isPlatformAdmin,
    })
    .from(memberships)
    .innerJoin(tenants, eq(tenants.id, memberships.tenantId))
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)));
}

/**
 * Session -> user -> active tenant, with the membership checked in the database on every request
 * (cached for the rest of the request). A session naming a tenant the user has left gets nothing.
 */
export const currentTenant = cache(async (): Promise<TenantSession> => {
  const session = await auth();
  const userId = session?.user?.id;
  const tenantId = session?.activeTenantId;
  if (!userId || !isUuid(userId)) redirect("/login");
  if (!tenantId || !isUuid(tenantId)) redirect("/no-access");
  const [membership] = await withTenant(tenantId, (tx) => membershipRows(tx, userId, tenantId), { userId });
  if (!membership) redirect("/no-access");
  return { userId, tenantId, ...membership };
});

/** The one way pages and actions read tenant data: the session's tenant, checked, then withTenant. */
export async function withSessionTenant<T>(fn: (tx: TenantTx, session: TenantSession) => Promise<T>): Promise<T> {
  const session = await currentTenant();
  return withTenant(session.tenantId, (tx) => fn(tx, session), { userId: session.userId });
}

/** The signed-in user (from the session, checked against the database), or null when signed out. */
export const signedInUser = cache(async (): Promise<{ id: string; email: string; name: string } | null> => {
  const session = await auth();
  const userId = session?.user?.id;
  if (!userId || !isUuid(userId)) return null;
  const [user] = await withUser(userId, (tx) =>
    tx.select({ id: users.id, email: users.email, name: users.name }).from(users).where(eq(users.id, userId)),
  );
  return user ?? null;
});
