"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { endOtherSessions } from "@/db";
import { changeOwnPassword, renameSelf } from "@/features/accounts/profile";
import { tenantAction } from "@/lib/action";
import { recordAudit } from "@/lib/audit-log";
import { fail, fieldError, ok } from "@/lib/form-state";
import { nameField, newPasswordField } from "@/lib/validation";

export const updateProfile = tenantAction(
  "account.update",
  z.object({ name: nameField }),
  async ({ name }, { tx, session }) => {
    await renameSelf(tx, session.userId, name);
    revalidatePath("/", "layout");
    return { ...ok("Profile saved."), values: { name } };
  },
);

const passwordSchema = z
  .object({
    current: z.string().min(1, "Enter your current password.").max(200),
    password: newPasswordField,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The two new passwords differ." });

export const changePassword = tenantAction(
  "account.update",
  passwordSchema,
  async ({ current, password }, { tx, session }) => {
    const outcome = await changeOwnPassword(tx, current, password);
    if (outcome === "throttled") return fail("Too many wrong passwords. Try again in a few minutes.");
    if (outcome !== "changed") return fieldError("current", "This is not your current password.");
    // Whoever else holds a session (a stolen cookie, a forgotten device) is out; this one stays.
    const ended = await endOtherSessions(tx, session.sessionId);
    await recordAudit(tx, {
      tenantId: session.tenantId,
      actorUserId: session.userId,
      action: "auth.password_changed",
      metadata: { otherSessionsEnded: ended },
    });
    return ok("Password changed. Your other sessions were signed out.");
  },
);

export const signOutOtherSessions = tenantAction("account.update", z.object({}), async (_input, { tx, session }) => {
  const ended = await endOtherSessions(tx, session.sessionId);
  await recordAudit(tx, {
    tenantId: session.tenantId,
    actorUserId: session.userId,
    action: "auth.other_sessions_ended",
    metadata: { ended },
  });
  return ok(ended === 1 ? "1 other session was signed out." : `${ended} other sessions were signed out.`);
});
