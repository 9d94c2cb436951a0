import { CredentialsSignin } from "next-auth";
import { withTenant } from "@/db";
import { recordAudit } from "@/lib/audit-log";
import { userTenants } from "@/lib/auth/memberships";

/** Thrown from authorize() when the account or address must wait; the login form says how long. */
export class SignInThrottled extends CredentialsSignin {
  code = "throttled";
  constructor(readonly retryAfterSeconds: number) {
    super(`sign-in throttled for ${retryAfterSeconds} s`);
  }
}

/**
 * After any successful sign-in: the session opens in the user's first tenant (by name), and the
 * sign-in is recorded in that tenant's audit log.
 */
export async function openSession(
  userId: string,
  method: string,
  ip: string | null,
): Promise<{ activeTenantId?: string }> {
  const tenants = await userTenants(userId);
  const activeTenantId = tenants[0]?.id;
  if (activeTenantId) {
    await withTenant(
      activeTenantId,
      (tx) =>
        recordAudit(tx, {
          tenantId: activeTenantId,
          actorUserId: userId,
          action: "auth.sign_in",
          metadata: { method, ip },
        }),
      { userId },
    );
  }
  return { activeTenantId };
}
