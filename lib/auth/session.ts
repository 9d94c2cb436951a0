import { cache } from "react";
import { LRUCache } from "lru-cache";
import { eq, sql } from "drizzle-orm";
import { cookies } from "next/headers";
import { forbidden, redirect } from "next/navigation";
import { decode } from "next-auth/jwt";
import { isUuid, lastly, sessionAlive, withTenant, withUser, type TenantTx } from "@/db";
import { users } from "@/db/schema";
import { membership, tenantsOf } from "@/lib/auth/memberships";
import { sessionCookie } from "@/lib/auth/session-cookie";
import { env } from "@/lib/env";
import { can, type Permission, type Role } from "@/lib/permissions";

export interface TenantSession {
  userId: string;
  userName: string;
  email: string;
  tenantId: string;
  tenantName: string;
  tenantSlug: string;
  role: Role;
  /** The server-side session row (app_private.sessions): "sign out other devices" keeps this one. */
  sessionId: string;
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

/** What the session cookie says, not yet checked against the database. */
export interface SessionClaims {
  userId: string;
  sessionId: string;
  activeTenantId?: string;
}

/**
 * The session cookie, decrypted once per request (Auth.js's own format and key), and nothing
 * re-encrypted: Auth.js's auth() runs its whole session action, which encrypts a fresh cookie that a
 * page cannot send. Null for no cookie, a tampered or expired one, or one without a session row id.
 */
export const sessionClaims = cache(async (): Promise<SessionClaims | null> => {
  const found = sessionCookie((await cookies()).getAll());
  if (!found) return null;
  const cacheKey = `${found.salt}\n${found.token}`;
  const known = decryptedCookies.get(cacheKey);
  if (known) return known;
  let token;
  try {
    token = await decode({ token: found.token, secret: env().AUTH_SECRET, salt: found.salt });
  } catch {
    return null;
  }
  const userId = token?.userId;
  const sessionId = token?.sessionId;
  if (!isUuid(userId) || !isUuid(sessionId)) return null;
  const claims = {
    userId,
    sessionId,
    activeTenantId: isUuid(token?.activeTenantId) ? token.activeTenantId : undefined,
  };
  const expiresInMs = typeof token?.exp === "number" ? token.exp * 1000 - Date.now() : 0;
  if (expiresInMs > 0) decryptedCookies.set(cacheKey, claims, { ttl: expiresInMs });
  return claims;
});

/**
 * The claims of session cookies this process has decrypted, by the cookie's exact value, until the
 * token expires. A signed-in user sends the same cookie with every request, and decrypting it (key
 * derivation, then AES-CBC and HMAC through Web Crypto: nine asynchronous operations) was about 6% of
 * a page's server CPU. Only cookies that decrypted (ones this app issued) are kept, and the session row
 * is still checked in the database on every request, so an ended session ends here too. Bounded in
 * entries and in bytes whatever the cookies' sizes.
 */
const decryptedCookies = new LRUCache<string, SessionClaims>({
  max: 10_000,
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (_claims, cookie) => cookie.length + 200,
});

/**
 * Session -> user -> active tenant, with the session row and the membership checked in the database
 * on every request, in one statement (cached for the rest of the request). A session that was ended,
 * timed out or outlived its lifetime is signed out; a session naming a tenant the user has left gets
 * nothing. The user's workspaces (the layout's tenant switcher) come in the same round trip: BEGIN,
 * the context, both reads and COMMIT in one write. Never redirects: pages and actions use requireTenant(), route handlers routeCaller().
 */
export const lookupTenantSession = cache(async (): Promise<SessionLookup> => {
  const claims = await sessionClaims();
  if (!claims) return { ok: false, reason: "signed_out" };
  const { userId, sessionId, activeTenantId: tenantId } = claims;
  if (!tenantId)
    return (await signedInUser()) ? { ok: false, reason: "no_tenant" } : { ok: false, reason: "signed_out" };
  const alive = sessionAlive(sessionId, env().SESSION_IDLE_TIMEOUT_SECONDS);
  const [[member], tenants] = await withTenant(
    tenantId,
    (tx) => lastly(tx, [membership(tx, userId, tenantId, alive), tenantsOf(tx, userId)]),
    { userId },
  );
  if (!member) return { ok: false, reason: "no_tenant" };
  const { sessionAlive: isAlive, ...rest } = member;
  if (!isAlive) return { ok: false, reason: "signed_out" };
  return {
    ok: true,
    session: { userId, tenantId, sessionId, ...rest },
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

/**
 * withTenant for the session's tenant, with the user in the context too. `{ read: true }` for a page
 * whose data the hot standby may serve, a moment behind the primary (see TenantOptions in db/tenant.ts):
 * not for what the user has just changed, nor for the membership check above.
 */
export function withSessionTenant<T>(
  session: TenantSession,
  fn: (tx: TenantTx) => Promise<T>,
  options: { read?: boolean } = {},
): Promise<T> {
  return withTenant(session.tenantId, fn, { ...options, userId: session.userId });
}

/** Whether the session row named by a token is alive (and slides it): for Auth.js's own callbacks. */
export async function sessionStillAlive(userId: unknown, sessionId: unknown): Promise<boolean> {
  if (!isUuid(userId) || !isUuid(sessionId)) return false;
  const [row] = await withUser(userId, (tx) =>
    tx.execute<{ alive: boolean }>(sql`select ${sessionAlive(sessionId, env().SESSION_IDLE_TIMEOUT_SECONDS)} as alive`),
  );
  return row?.alive === true;
}

/**
 * The signed-in user of a live session (the session row checked and slid in the same statement), or
 * null when signed out: for the pages before a tenant (sign-in, sign-up, invitations).
 */
export const signedInUser = cache(async (): Promise<{ id: string; email: string; name: string } | null> => {
  const claims = await sessionClaims();
  if (!claims) return null;
  const { userId, sessionId } = claims;
  const [user] = await withUser(userId, (tx) =>
    tx
      .select({
        id: users.id,
        email: users.email,
        name: users.name,
        alive: sessionAlive(sessionId, env().SESSION_IDLE_TIMEOUT_SECONDS),
      })
      .from(users)
      .where(eq(users.id, userId)),
  );
  return user?.alive ? { id: user.id, email: user.email, name: user.name } : null;
});
