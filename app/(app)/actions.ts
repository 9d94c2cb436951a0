"use server";

import { notFound, redirect } from "next/navigation";
import { signOut, unstable_update } from "@/lib/auth";
import { sessionClaims } from "@/lib/auth/session";
import { isUuid } from "@/db";
import { can } from "@/lib/permissions";
import { safeAppPath } from "@/lib/safe-redirect";
import { userTenants } from "@/lib/auth/memberships";

/**
 * Switches the session's active tenant. The target is checked against the database (the user's
 * memberships, read in their own signed context); the JWT callback checks it again before it
 * re-issues the session cookie. Pages then read the new tenant through requireTenant(), which checks
 * the membership once more on every request.
 */
export async function switchTenant(form: FormData): Promise<void> {
  const userId = (await sessionClaims())?.userId;
  if (!userId) redirect("/login");
  const tenantId = form.get("tenantId");
  const target = (await userTenants(userId)).find((t) => t.id === tenantId);
  // Not a member (a forged or stale form): the same 404 as any id that is not yours.
  if (!target || !can(target.role, "tenant.switch")) notFound();
  await unstable_update({ activeTenantId: target.id });
  redirect(sectionOf(form.get("returnTo")));
}

// The same section in the new tenant, without ids that belonged to the old one.
function sectionOf(returnTo: FormDataEntryValue | null): string {
  const path = safeAppPath(typeof returnTo === "string" ? returnTo.split("?")[0] : undefined);
  const segments = path.split("/").filter(Boolean);
  const firstId = segments.findIndex((s) => isUuid(s));
  return firstId === -1 ? path : `/${segments.slice(0, firstId).join("/")}`;
}

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: "/login" });
}
