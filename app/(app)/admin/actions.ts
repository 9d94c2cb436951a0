"use server";

import { notFound, redirect } from "next/navigation";
import { z } from "zod";
import { NotPlatformAdminError, revokeSessionsOf } from "@/db";
import { formAction } from "@/lib/action";
import { lookupTenantSession } from "@/lib/auth/session";
import { ok } from "@/lib/form-state";
import { emailField } from "@/lib/validation";

// Platform admins only: db/platform-admin.ts re-reads the flag from the database and records the
// action before it ends anything. Anyone else gets the ordinary 404.
export const revokeSessions = formAction(z.object({ email: emailField }), async ({ email }) => {
  const found = await lookupTenantSession();
  if (!found.ok) redirect("/login");
  let ended: number;
  try {
    ended = await revokeSessionsOf(found.session.userId, email);
  } catch (error) {
    if (error instanceof NotPlatformAdminError) notFound();
    throw error;
  }
  return ok(`${ended} session${ended === 1 ? "" : "s"} of ${email} ended.`);
});
