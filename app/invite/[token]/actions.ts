"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { z } from "zod";
import { acceptInvitationAsNewUser, databaseError, invitationByToken, sqlState, withTenant } from "@/db";
import { acceptInvitation, declineInvitation } from "@/features/members/members";
import { signIn, unstable_update } from "@/lib/auth";
import { signedInUser } from "@/lib/auth/session";
import { formAction } from "@/lib/action";
import { fail, ok } from "@/lib/form-state";
import { linkTokenField, nameField, newPasswordField } from "@/lib/validation";

// Accepting and declining are authorised by the invitation link itself (the invitee has no role in
// the tenant yet), so these actions have no permission-table row; each re-reads the invitation by its
// link and works inside withTenant(the invitation's tenant).

const notValid = "This invitation is not valid any more.";
const token = linkTokenField(notValid);

export const acceptAsSignedInUser = formAction(z.object({ token }), async (input) => {
  const [user, invitation] = await Promise.all([signedInUser(), invitationByToken(input.token)]);
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(`/invite/${input.token}`)}`);
  if (!invitation || invitation.status !== "pending") return fail(notValid);
  const result = await withTenant(
    invitation.tenantId,
    (tx) => acceptInvitation(tx, invitation.tenantId, invitation.invitationId, user),
    { userId: user.id },
  );
  if (!result.ok) return fail(result.message);
  await unstable_update({ activeTenantId: invitation.tenantId });
  return { ...ok(), redirectTo: "/conversations" };
});

export const acceptAsNewUser = formAction(
  z.object({ token, name: nameField, password: newPasswordField }),
  async (input) => {
    const invitation = await invitationByToken(input.token);
    if (!invitation || invitation.status !== "pending") return fail(notValid);
    try {
      await acceptInvitationAsNewUser(input.token, input.name, input.password);
    } catch (error) {
      const info = databaseError(error);
      if (info?.code === sqlState.uniqueViolation)
        return fail("An account with this email already exists: sign in to accept.");
      if (info?.code === sqlState.noDataFound) return fail(notValid);
      throw error;
    }
    try {
      await signIn("credentials", { email: invitation.email, password: input.password, redirectTo: "/conversations" });
    } catch (error) {
      if (error instanceof AuthError) return fail("You joined, but signing in failed. Sign in from the login page.");
      throw error;
    }
    return ok();
  },
);

export const decline = formAction(z.object({ token }), async (input) => {
  const [user, invitation] = await Promise.all([signedInUser(), invitationByToken(input.token)]);
  if (!invitation || invitation.status !== "pending") return fail(notValid);
  if (user && user.email !== invitation.email) return fail(`This invitation is for ${invitation.email}.`);
  const result = await withTenant(
    invitation.tenantId,
    (tx) => declineInvitation(tx, invitation.tenantId, invitation.invitationId, user?.id ?? null),
    user ? { userId: user.id } : {},
  );
  if (!result.ok) return fail(result.message);
  return ok(`You declined the invitation to ${invitation.tenantName}.`);
});
