import { cache } from "react";
import { eq } from "drizzle-orm";
import { forbidden, redirect } from "next/navigation";
import { isUuid, lastly, withTenant, withUser, type TenantTx } from "@/db";
import { users } from "@/db/schema";
import { auth } from "@/lib/auth";
import { membership, tenantsOf } from "@/lib/auth/memberships";
import { can, type Permission, type Role } from "@/lib/permissions";

export interface TenantSession {
  userId: string;
  userName: string;
  email: string;
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  role: Role;
  /** For showing the admin link only; /admin re-reads the flag itself (db/platform-admin.ts). */
  isPlatformAdmin: boolean;
}

/** A workspace the user belongs to, as the tenant switcher lists it. */
export interface TenantChoice {
  id: string;
  name: string;
  role: Role;
}

export type SessionLookup =
  { ok: true; session: TenantSession; tenants: TenantChoice[] } | { ok: false; reason: "signed_out" | "no_tenant" };

/**
 * Session -> user -> active tenant, with the membership checked in the database on every request
 * (cached for the rest of the request). A session naming a tenant the user has left gets nothing.
 * The user's workspaces (the layout's tenant switcher) come in the same round trip: BEGIN, the
 * context, both reads and COMMIT in one write.
 * Never redirects: pages and actions use requireTenant(), route handlers routeCaller().
 */
export const lookupTenantSession = cache(async (): Promise<SessionLookup> => {
  const session = await auth();
  const userId = session?.user?.id;
  const tenantId = session?.activeTenantId;
  if (!userId || !isUuid(userId)) return { ok: false, reason: "signed_out" };
  if (!tenantId || !isUuid(tenantId)) return { ok: false, reason: "no_tenant" };
  const [[member], tenants] = await withTenant(
    tenantId,
    (tx) => lastly(tx, [membership(tx, userId, tenantId), tenantsOf(tx, userId)]),
    { userId },
  );
  if (!member) return { ok: false, reason: "no_tenant" };
  return {
    ok: true,
    session: { userId, tenantId, ...member },
    tenants: tenants.map(({ id, name, role }) => ({ id, name, role })),
  };
});

/**
 * The guard for pages (and, through tenantAction, server actions): the signed-in member of the active
 * tenant, allowed `permission` when one is named. Signed out -> /login; no tenant -> /no-access;
 * not allowed -> 403 (app/forbidden.tsx). Call it first, before reading any data.
 */
export async function requireTenant(permission?: Permission): Promise<TenantSession> {
  const found = await lookupTenantSession();
  if (!found.ok) redirect(found.reason === "signed_out" ? "/login" : "/no-access");
  if (permission && !can(found.session.role, permission)) forbidden();
  return found.session;
}

/** The signed-in user's workspaces, from the same lookup as requireTenant (no query of its own). */
export async function sessionTenants(): Promise<TenantChoice[]> {
  const found = await lookupTenantSession();
  return found.ok ? found.tenants : [];
}

/** withTenant for the session's tenant, with the user in the context too. */
export function withSessionTenant<T>(session: TenantSession, fn: (tx: TenantTx) => Promise<T>): Promise<T> {
  return withTenant(session.tenantId, fn, { userId: session.userId });
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
