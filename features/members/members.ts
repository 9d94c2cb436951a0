import { createHash, randomBytes } from "node:crypto";
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { invitations, memberships, users } from "@/db/schema";
import { isLastOwnerError, type TenantTx } from "@/db";
import { recordAudit } from "@/lib/audit-log";
import type { Role } from "@/lib/permissions";

/**
 * Members and invitations of the tenant in context. Every function runs inside the caller's
 * withTenant transaction and also filters by tenant_id explicitly; RLS makes another tenant's rows
 * invisible either way, so an id from another tenant is simply "not found".
 */
export const invitationValidDays = 7;

export function listMembers(tx: TenantTx, tenantId: string) {
  return tx
    .select({
      userId: users.id,
      name: users.name,
      email: users.email,
      role: memberships.role,
      joinedAt: memberships.createdAt,
    })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(eq(memberships.tenantId, tenantId))
    .orderBy(
      sql`array_position(array['owner','admin','member','viewer']::member_role[], ${memberships.role})`,
      asc(users.name),
    );
}

export function listPendingInvitations(tx: TenantTx, tenantId: string) {
  return tx
    .select({
      id: invitations.id,
      email: invitations.email,
      role: invitations.role,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      invitedByName: users.name,
    })
    .from(invitations)
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.status, "pending")))
    .orderBy(desc(invitations.createdAt));
}

/** The link's secret (shown once) and its SHA-256, the only thing stored. */
export function newInvitationSecret() {
  const token = randomBytes(32).toString("base64url");
  return { token, tokenHash: createHash("sha256").update(token).digest("hex") };
}

export type TeamResult = { ok: true; token?: string } | { ok: false; message: string; field?: string };

interface Actor {
  tenantId: string;
  userId: string;
  role: Role;
}

export async function createInvitation(tx: TenantTx, actor: Actor, email: string, role: Role): Promise<TeamResult> {
  const [member] = await tx
    .select({ userId: users.id })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, actor.tenantId), eq(users.email, email)));
  if (member) return { ok: false, field: "email", message: "This person is already a member of this workspace." };
  // Inviting the same address again replaces the previous link.
  await tx
    .update(invitations)
    .set({ status: "revoked", resolvedAt: sql`now()` })
    .where(
      and(eq(invitations.tenantId, actor.tenantId), eq(invitations.email, email), eq(invitations.status, "pending")),
    );
  const { token, tokenHash } = newInvitationSecret();
  const [created] = await tx
    .insert(invitations)
    .values({
      tenantId: actor.tenantId,
      email,
      role,
      tokenHash,
      invitedBy: actor.userId,
      expiresAt: sql`now() + make_interval(days => ${invitationValidDays})`,
    })
    .returning({ id: invitations.id });
  await recordAudit(tx, {
    tenantId: actor.tenantId,
    actorUserId: actor.userId,
    action: "member.invited",
    target: email,
    metadata: { role, invitationId: created!.id },
  });
  return { ok: true, token };
}

export async function revokeInvitation(tx: TenantTx, actor: Actor, invitationId: string): Promise<TeamResult> {
  const [revoked] = await tx
    .update(invitations)
    .set({ status: "revoked", resolvedAt: sql`now()` })
    .where(
      and(
        eq(invitations.tenantId, actor.tenantId),
        eq(invitations.id, invitationId),
        eq(invitations.status, "pending"),
      ),
    )
    .returning({ email: invitations.email });
  if (!revoked) return { ok: false, message: "No such pending invitation in this workspace." };
  await recordAudit(tx, {
    tenantId: actor.tenantId,
    actorUserId: actor.userId,
    action: "member.invitation_revoked",
    target: revoked.email,
    metadata: { invitationId },
  });
  return { ok: true };
}

async function membershipRole(tx: TenantTx, tenantId: string, userId: string) {
  const [row] = await tx
    .select({ role: memberships.role, email: users.email })
    .from(memberships)
    .innerJoin(users, eq(users.id, memberships.userId))
    .where(and(eq(memberships.tenantId, tenantId), eq(memberships.userId, userId)))
    .for("update", { of: memberships });
  return row;
}

const noSuchMember: TeamResult = { ok: false, message: "No such member in this workspace." };
const ownersOnly: TeamResult = { ok: false, message: "Only an owner can make or change an owner." };
export const lastOwnerMessage = "A workspace must keep at least one owner: make someone else an owner first.";

/** Runs a change under a savepoint, so the database's last-owner refusal becomes an answer, not a failed request. */
async function keepingAnOwner(tx: TenantTx, change: (sp: TenantTx) => Promise<unknown>): Promise<TeamResult | null> {
  try {
    await tx.transaction(async (sp) => {
      await change(sp);
    });
    return null;
  } catch (error) {
    if (isLastOwnerError(error)) return { ok: false, message: lastOwnerMessage };
    throw error;
  }
}

/** canManageOwners: the actor's role may touch owners (the permission table decides; passed in). */
export async function changeRole(
  tx: TenantTx,
  actor: Actor,
  userId: string,
  role: Role,
  canManageOwners: boolean,
): Promise<TeamResult> {
  const target = await membershipRole(tx, actor.tenantId, userId);
  if (!target) return noSuchMember;
  if ((target.role === "owner" || role === "owner") && !canManageOwners) return ownersOnly;
  if (target.role === role) return { ok: true };
  const refused = await keepingAnOwner(tx, (sp) =>
    sp
      .update(memberships)
      .set({ role })
      .where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, userId))),
  );
  if (refused) return refused;
  await recordAudit(tx, {
    tenantId: actor.tenantId,
    actorUserId: actor.userId,
    action: "member.role_changed",
    target: target.email,
    metadata: { userId, from: target.role, to: role },
  });
  return { ok: true };
}

export async function removeMember(
  tx: TenantTx,
  actor: Actor,
  userId: string,
  canManageOwners: boolean,
): Promise<TeamResult> {
  if (userId === actor.userId) return { ok: false, message: "To remove yourself, leave the workspace." };
  const target = await membershipRole(tx, actor.tenantId, userId);
  if (!target) return noSuchMember;
  if (target.role === "owner" && !canManageOwners) return ownersOnly;
  const refused = await keepingAnOwner(tx, (sp) =>
    sp.delete(memberships).where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, userId))),
  );
  if (refused) return refused;
  await recordAudit(tx, {
    tenantId: actor.tenantId,
    actorUserId: actor.userId,
    action: "member.removed",
    target: target.email,
    metadata: { userId, role: target.role },
  });
  return { ok: true };
}

export async function leaveTenant(tx: TenantTx, actor: Actor): Promise<TeamResult> {
  const target = await membershipRole(tx, actor.tenantId, actor.userId);
  if (!target) return noSuchMember;
  const refused = await keepingAnOwner(tx, (sp) =>
    sp.delete(memberships).where(and(eq(memberships.tenantId, actor.tenantId), eq(memberships.userId, actor.userId))),
  );
  if (refused) return refused;
  await recordAudit(tx, {
    tenantId: actor.tenantId,
    actorUserId: actor.userId,
    action: "member.left",
    target: target.email,
    metadata: { role: target.role },
  });
  return { ok: true };
}

/**
 * An existing user accepts: runs in withTenant(invitation's tenant, { userId }), after the link was
 * resolved by app.invitation_by_token. Re-checked here under a row lock: still pending, not expired,
 * addressed to this user's email.
 */
export async function acceptInvitation(
  tx: TenantTx,
  tenantId: string,
  invitationId: string,
  user: { id: string; email: string },
): Promise<TeamResult> {
  const [invitation] = await tx
    .select({
      email: invitations.email,
      role: invitations.role,
      valid: sql<boolean>`${invitations.status} = 'pending' and ${invitations.expiresAt} > now()`,
    })
    .from(invitations)
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, invitationId)))
    .for("update");
  if (!invitation || !invitation.valid) return { ok: false, message: "This invitation is not valid any more." };
  if (invitation.email !== user.email) return { ok: false, message: `This invitation is for ${invitation.email}.` };
  await tx.insert(memberships).values({ tenantId, userId: user.id, role: invitation.role }).onConflictDoNothing();
  await tx
    .update(invitations)
    .set({ status: "accepted", resolvedAt: sql`now()` })
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, invitationId)));
  await recordAudit(tx, {
    tenantId,
    actorUserId: user.id,
    action: "member.joined",
    target: user.email,
    metadata: { role: invitation.role, invitationId },
  });
  return { ok: true };
}

export async function declineInvitation(
  tx: TenantTx,
  tenantId: string,
  invitationId: string,
  actorUserId: string | null,
): Promise<TeamResult> {
  const [declined] = await tx
    .update(invitations)
    .set({ status: "declined", resolvedAt: sql`now()` })
    .where(and(eq(invitations.tenantId, tenantId), eq(invitations.id, invitationId), eq(invitations.status, "pending")))
    .returning({ email: invitations.email });
  if (!declined) return { ok: false, message: "This invitation is not valid any more." };
  await recordAudit(tx, {
    tenantId,
    actorUserId,
    action: "member.invitation_declined",
    target: declined.email,
    metadata: { invitationId },
  });
  return { ok: true };
}
