"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { memberRoles } from "@/db/schema";
import {
  changeRole,
  createInvitation,
  leaveTenant,
  removeMember,
  revokeInvitation,
  type TeamResult,
} from "@/features/members/members";
import { unstable_update } from "@/lib/auth";
import { userTenants } from "@/lib/auth/memberships";
import { tenantAction, type ActionOutcome } from "@/lib/action";
import { fail, fieldError, ok, type FormState } from "@/lib/form-state";
import { requestLogger } from "@/lib/logger";
import { mailer } from "@/lib/mailer";
import { can } from "@/lib/permissions";
import { absoluteUrl } from "@/lib/request-info";
import { emailField, idField } from "@/lib/validation";

const role = z.enum(memberRoles, { message: "Choose a role." });
const id = idField();

function answer(result: TeamResult, success: string): ActionOutcome {
  if (!result.ok) return result.field ? fieldError(result.field, result.message) : fail(result.message);
  revalidatePath("/settings/members");
  return ok(success);
}

export const inviteMember = tenantAction(
  "members.invite",
  z.object({ email: emailField, role }),
  async (input, { tx, session }) => {
    if (input.role === "owner" && !can(session.role, "members.manageOwners")) {
      return fieldError("role", "Only an owner can invite an owner.");
    }
    const result = await createInvitation(tx, session, input.email, input.role);
    if (!result.ok || !result.token) return answer(result, "");
    const link = absoluteUrl(`/invite/${result.token}`);
    revalidatePath("/settings/members");
    const delivery = mailer();
    return {
      ...ok(`Invitation for ${input.email} created; the email was ${delivery.description}.`, { link }),
      // After the commit: no email for an invitation that rolled back, and no transaction held open while mail goes out.
      afterCommit: async (): Promise<FormState | void> => {
        try {
          await delivery.send({
            to: input.email,
            subject: `${session.userName} invited you to ${session.tenantName}`,
            text: `${session.userName} invited you to join ${session.tenantName} as ${input.role}.\n\nAccept or decline: ${link}\n\nThe link works for 7 days.`,
          });
        } catch (error) {
          requestLogger({ tenantId: session.tenantId }).error({ err: error }, "invitation email failed");
          const unsent = fail(
            `Invitation for ${input.email} created, but the email could not be sent: share the link.`,
          );
          return { ...unsent, result: { link } };
        }
      },
    };
  },
);

export const revokeInvitationAction = tenantAction(
  "members.invite",
  z.object({ invitationId: id }),
  async ({ invitationId }, { tx, session }) =>
    answer(await revokeInvitation(tx, session, invitationId), "Invitation revoked."),
);

export const changeRoleAction = tenantAction(
  "members.changeRole",
  z.object({ userId: id, role }),
  async (input, { tx, session }) =>
    answer(
      await changeRole(tx, session, input.userId, input.role, can(session.role, "members.manageOwners")),
      "Role changed.",
    ),
);

export const removeMemberAction = tenantAction(
  "members.remove",
  z.object({ userId: id }),
  async ({ userId }, { tx, session }) =>
    answer(await removeMember(tx, session, userId, can(session.role, "members.manageOwners")), "Member removed."),
);

/** Leaves the active tenant; after the commit the session moves to another tenant of the user's, if any. */
export const leaveWorkspace = tenantAction("members.leave", z.object({}), async (_input, { tx, session }) => {
  const left = answer(await leaveTenant(tx, session), "You left the workspace.");
  if (left.status !== "ok") return left;
  return {
    ...left,
    afterCommit: async () => {
      const next = (await userTenants(session.userId))[0];
      if (!next) redirect("/no-access");
      await unstable_update({ activeTenantId: next.id });
      redirect("/conversations");
    },
  };
});
