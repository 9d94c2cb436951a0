import { createHmac } from "node:crypto";
import { sql } from "drizzle-orm";
import { drizzleOn, rawPool } from "./client";
import { dbEnv } from "./env";

/**
 * What runs before any tenant or user context exists: sign-in, sign-up, reading and accepting an
 * invitation by its link, OAuth and magic-link sign-in. Each calls one narrow SECURITY DEFINER
 * function (drizzle/0004) as app_user; app_user has no grant on password hashes, users, the throttle
 * or the magic-link table, and these functions do exactly one thing each.
 */
const db = () => drizzleOn(rawPool("app_user"));

export type SignInResult = { userId: string } | { retryAfterSeconds: number } | null;

/** Password sign-in, throttled per account and per client address (app.sign_in). */
export async function signInWithPassword(email: string, password: string, ip: string | null): Promise<SignInResult> {
  const [row] = await db().execute<{ signed_in_user_id: string | null; retry_after_seconds: number }>(
    sql`select * from app.sign_in(${email}, ${password}, ${ip})`,
  );
  if (row?.signed_in_user_id) return { userId: row.signed_in_user_id };
  if (row && row.retry_after_seconds > 0) return { retryAfterSeconds: row.retry_after_seconds };
  return null;
}

/** A user, a tenant with a unique slug, the owner membership. Throws unique_violation (users_email_key) for a taken email. */
export async function signUp(input: { email: string; name: string; password: string; workspace: string }) {
  const [row] = await db().execute<{ new_user_id: string; new_tenant_id: string }>(
    sql`select * from app.sign_up(${input.email}, ${input.name}, ${input.password}, ${input.workspace})`,
  );
  if (!row) throw new Error("app.sign_up returned no row");
  return { userId: row.new_user_id, tenantId: row.new_tenant_id };
}

export interface InvitationPreview {
  tenantId: string;
  invitationId: string;
  tenantName: string;
  email: string;
  role: "owner" | "admin" | "member" | "viewer";
  status: "pending" | "accepted" | "declined" | "revoked" | "expired";
  expiresAt: Date;
  invitedByName: string | null;
  accountExists: boolean;
}

/** The invitation behind a link, or null for an unknown link. */
export async function invitationByToken(token: string): Promise<InvitationPreview | null> {
  const [row] = await db().execute<{
    tenant_id: string;
    invitation_id: string;
    tenant_name: string;
    email: string;
    role: InvitationPreview["role"];
    status: InvitationPreview["status"];
    expires_at: string | Date;
    invited_by_name: string | null;
    account_exists: boolean;
  }>(sql`select * from app.invitation_by_token(${token})`);
  if (!row) return null;
  return {
    tenantId: row.tenant_id,
    invitationId: row.invitation_id,
    tenantName: row.tenant_name,
    email: row.email,
    role: row.role,
    status: row.status,
    expiresAt: new Date(row.expires_at),
    invitedByName: row.invited_by_name,
    accountExists: row.account_exists,
  };
}

/** Creates the invited person's account and membership and uses up the invitation, in one transaction. */
export async function acceptInvitationAsNewUser(token: string, name: string, password: string) {
  const [row] = await db().execute<{ new_user_id: string; joined_tenant_id: string }>(
    sql`select * from app.accept_invitation_as_new_user(${token}, ${name}, ${password})`,
  );
  if (!row) throw new Error("app.accept_invitation_as_new_user returned no row");
  return { userId: row.new_user_id, tenantId: row.joined_tenant_id };
}

/**
 * The server's word that a provider vouched for this address (drizzle/0015): app.external_sign_in
 * refuses without it, so SQL running as app_user cannot look up or create accounts by email.
 */
export function externalSignInProof(email: string, secret = dbEnv().TENANT_CONTEXT_SECRET, nowMs = Date.now()): string {
  const expiry = Math.floor(nowMs / 1000) + 60;
  return `${expiry}.${createHmac("sha256", secret).update(`external_sign_in.v1.${email}.${expiry}`).digest("hex")}`;
}

/** OAuth: the account with this provider-verified address (created with a workspace if new). */
export async function externalSignIn(email: string, name: string | null): Promise<string> {
  const [row] = await db().execute<{ user_id: string }>(
    sql`select app.external_sign_in(${email}, ${name}, ${externalSignInProof(email)}) as user_id`,
  );
  if (!row?.user_id) throw new Error("app.external_sign_in returned no user");
  return row.user_id;
}

/** `stored`: a link was stored (the caller sends it); `retryAfterSeconds` > 0: throttled, nothing stored. */
export interface MagicLinkRequest {
  stored: boolean;
  retryAfterSeconds: number;
}

/**
 * Stores a magic link's MAC when the address has an account. Throttled per address as typed (known or
 * not) and per client address, in buckets every instance shares (app.create_magic_link).
 */
export async function createMagicLink(email: string, tokenMac: string, ip: string | null): Promise<MagicLinkRequest> {
  const [row] = await db().execute<{ stored: boolean; retry_after_seconds: number }>(
    sql`select stored, retry_after_seconds from app.create_magic_link(${email}, ${tokenMac}, ${ip})`,
  );
  return { stored: row?.stored === true, retryAfterSeconds: row?.retry_after_seconds ?? 0 };
}

/** Uses up a magic link; the user id, or null for an unknown, used or expired link. */
export async function consumeMagicLink(tokenMac: string): Promise<string | null> {
  const [row] = await db().execute<{ user_id: string | null }>(
    sql`select app.consume_magic_link(${tokenMac}) as user_id`,
  );
  return row?.user_id ?? null;
}
