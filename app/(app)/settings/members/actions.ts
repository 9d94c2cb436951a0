"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { auth, unstable_update } from "@/auth";
import { memberRoles } from "@/db/schema";
import { tenantAction } from "@/lib/actions";
import { emailField } from "@/lib/account-schemas";
import { formError, type FormState } from "@/lib/forms";
import { mailer } from "@/lib/mailer";
import {
  changeRole,
  createInvitation,
  leaveTenant,
  removeMember,
  revokeInvitation,
  type TeamResult,
} from "@/lib/members";
import { can } from "@/lib/permissions";
import { absoluteUrl } from "@/lib/request-info";
import { userTenants } from "@/lib/tenancy";

const role = z.enum(memberRoles, { message: "Choose a role." });
const id = z.string().uuid("Not a valid id.");

function answer(result: TeamResult, success: string): FormState {
  if (!result.ok)
    return formError(result.message, undefined, result.field ? { [result.field]: result.message } : undefined);
  revalidatePath("/settings/members");
  return { status: "ok", message: success };
}

export const inviteMember = tenantAction(
  { resource: "members", action: "invite" },
  z.object({ email: emailField, role }),
  async (input, { tx, session }) => {
    if (input.role === "owner" && !can(session.role, "members", "manageOwners")) {
      return formError("Only an owner can invite an owner.", undefined, { role: "Only an owner can invite an owner." });
    }
    const result = await createInvitation(tx, session, input.email, input.role);
    if (!result.ok || !result.token) return answer(result, "");
    const link = await absoluteUrl(`/invite/${result.token}`);
    const delivery = mailer();
    await delivery.send({
      to: input.email,
      subject: `${session.userName} invited you to ${session.tenantName}`,
      text: `${session.userName} invited you to join ${session.tenantName} as ${input.role}.\n\nAccept or decline: ${link}\n\nThe link works for 7 days.`,
    });
    revalidatePath("/settings/members");
    return {
      status: "ok",
      message: `Invitation for ${input.email} created; the email was ${delivery.description}.`,
      result: { link },
    };
  },
);

export const revokeInvitationAction = tenantAction(
  { resource: "members", action: "invite" },
  z.object({ invitationId: id }),
  async ({ invitationId }, { tx, session }) =>
    answer(await revokeInvitation(tx, session, invitationId), "Invitation revoked."),
);

export const changeRoleAction = tenantAction(
  { resource: "members", action: "changeRole" },
  z.object({ userId: id, role }),
  async (input, { tx, session }) =>
    answer(
      await changeRole(tx, session, input.userId, input.role, can(session.role, "members", "manageOwners")),
      "Role changed.",
    ),
);

export const removeMemberAction = tenantAction(
  { resource: "members", action: "remove" },
  z.object({ userId: id }),
  async ({ userId }, { tx, session }) =>
    answer(await removeMember(tx, session, userId, can(session.role, "members", "manageOwners")), "Member removed."),
);

const leave = tenantAction({ resource: "members", action: "leave" }, z.object({}), async (_input, { tx, session }) =>
  answer(await leaveTenant(tx, session), "You left the workspace."),
);

/** Leaves the active tenant; the session moves to another tenant of the user's, if any. */
export async function leaveWorkspace(previous: FormState, form: FormData): Promise<FormState> {
  const state = await leave(previous, form);
  if (state.status !== "ok") return state;
  const userId = (await auth())?.user?.id;
  const next = userId ? (await userTenants(userId))[0] : undefined;
  if (!next) redirect("/no-access");
  await unstable_update({ activeTenantId: next.id });
  redirect("/conversations");
}
