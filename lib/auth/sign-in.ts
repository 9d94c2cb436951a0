import { CredentialsSignin } from "next-auth";
import { openSessionRow, withTenant, withUser } from "@/db";
import { recordAudit } from "@/lib/audit-log";
import { tenantsOf } from "@/lib/auth/memberships";
import { env } from "@/lib/env";

/** Thrown from authorize() when the account or address must wait; the login form says how long. */
export class SignInThrottled extends CredentialsSignin {
  code = "throttled";
  constructor(readonly retryAfterSeconds: number) {
    super(`sign-in throttled for ${retryAfterSeconds} s`);
  }
}

/**
 * After any successful sign-in: a session row opens (its id goes into the cookie), the session works
 * in the user's first tenant (by name), and the sign-in is recorded in that tenant's audit log.
 */
export async function openSession(
  userId: string,
  method: string,
  ip: string | null,
): Promise<{ activeTenantId?: string; sessionId: string }> {
  const { sessionId, tenants } = await withUser(userId, async (tx) => ({
    sessionId: await openSessionRow(tx, env().SESSION_MAX_AGE_SECONDS),
    tenants: await tenantsOf(tx, userId),
  }));
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
  return { activeTenantId, sessionId };
}
