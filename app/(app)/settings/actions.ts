"use server";

import { eq, sql } from "drizzle-orm";
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { users } from "@/db/schema";
import { tenantAction } from "@/lib/actions";
import { nameField, newPasswordField } from "@/lib/account-schemas";
import { recordAudit } from "@/lib/audit";
import { formError } from "@/lib/forms";

export const updateProfile = tenantAction(
  { resource: "account", action: "update" },
  z.object({ name: nameField }),
  async ({ name }, { tx, session }) => {
    // RLS (user_update_self) and the column grant allow exactly this: one's own name.
    await tx.update(users).set({ name }).where(eq(users.id, session.userId));
    revalidatePath("/", "layout");
    return { status: "ok", message: "Profile saved.", values: { name } };
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
  { resource: "account", action: "update" },
  passwordSchema,
  async ({ current, password }, { tx, session }) => {
    // The user is the one in the signed context, and the current password is checked in the database.
    const [row] = await tx.execute<{ outcome: "changed" | "wrong_password" | "throttled" }>(
      sql`select app.change_password(${current}, ${password}) as outcome`,
    );
    if (row?.outcome === "throttled") return formError("Too many wrong passwords. Try again in a few minutes.");
    if (row?.outcome !== "changed")
      return formError("Please correct the highlighted fields.", undefined, {
        current: "This is not your current password.",
      });
    await recordAudit(tx, { tenantId: session.tenantId, actorUserId: session.userId, action: "auth.password_changed" });
    return { status: "ok", message: "Password changed." };
  },
);
