"use server";

import { AuthError } from "next-auth";
import { redirect } from "next/navigation";
import { z } from "zod";
import { signIn, unstable_update } from "@/auth";
import { acceptInvitationAsNewUser, invitationByToken, databaseError, sqlState, withTenant } from "@/db";
import { nameField, newPasswordField } from "@/lib/account-schemas";
import { formError, parseForm, type FormState } from "@/lib/forms";
import { acceptInvitation, declineInvitation } from "@/lib/members";
import { signedInUser } from "@/lib/tenancy";

// Accepting and declining are authorised by the invitation link itself (the invitee has no role in
// the tenant yet), so these actions have no permission-table row; each re-reads the invitation by its
// link and works inside withTenant(the invitation's tenant).

const notValid = "This invitation is not valid any more.";

export async function acceptAsSignedInUser(_prev: FormState, form: FormData): Promise<FormState> {
  const token = String(form.get("token") ?? "");
  const [user, invitation] = await Promise.all([signedInUser(), invitationByToken(token)]);
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(`/invite/${token}`)}`);
  if (!invitation || invitation.status !== "pending") return formError(notValid);
  const result = await withTenant(
    invitation.tenantId,
    (tx) => acceptInvitation(tx, invitation.tenantId, invitation.invitationId, user),
    { userId: user.id },
  );
  if (!result.ok) return formError(result.message);
  await unstable_update({ activeTenantId: invitation.tenantId });
  redirect("/conversations");
}

const newUserSchema = z.object({ name: nameField, password: newPasswordField });

export async function acceptAsNewUser(_prev: FormState, form: FormData): Promise<FormState> {
  const token = String(form.get("token") ?? "");
  const parsed = parseForm(newUserSchema, form);
  if (!parsed.ok) return parsed.state;
  const invitation = await invitationByToken(token);
  if (!invitation || invitation.status !== "pending") return formError(notValid, form);
  try {
    await acceptInvitationAsNewUser(token, parsed.data.name, parsed.data.password);
  } catch (error) {
    const info = databaseError(error);
    if (info?.code === sqlState.uniqueViolation)
      return formError("An account with this email already exists: sign in to accept.", form);
    if (info?.code === sqlState.noDataFound) return formError(notValid, form);
    throw error;
  }
  try {
    await signIn("credentials", {
      email: invitation.email,
      password: parsed.data.password,
      redirectTo: "/conversations",
    });
  } catch (error) {
    if (error instanceof AuthError)
      return formError("You joined, but signing in failed. Sign in from the login page.", form);
    throw error;
  }
  return {};
}

export async function decline(_prev: FormState, form: FormData): Promise<FormState> {
  const token = String(form.get("token") ?? "");
  const [user, invitation] = await Promise.all([signedInUser(), invitationByToken(token)]);
  if (!invitation || invitation.status !== "pending") return formError(notValid);
  if (user && user.email !== invitation.email) return formError(`This invitation is for ${invitation.email}.`);
  const result = await withTenant(
    invitation.tenantId,
    (tx) => declineInvitation(tx, invitation.tenantId, invitation.invitationId, user?.id ?? null),
    user ? { userId: user.id } : {},
  );
  if (!result.ok) return formError(result.message);
  return { status: "ok", message: `You declined the invitation to ${invitation.tenantName}.` };
}
