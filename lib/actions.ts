import type { z } from "zod";
import { withTenant, type TenantTx } from "@/db";
import { can, ForbiddenError, type Action, type Resource } from "@/lib/permissions";
import { currentTenant, type TenantSession } from "@/lib/tenancy";
import { parseForm, type FormState } from "@/lib/forms";

/**
 * The one wrapper for a server action that works on tenant data: session -> active tenant (membership
 * checked in the database), the permission table, zod validation of the form, then the body inside
 * withTenant (one transaction, signed context, the user in context too). Nothing is read or written
 * before the permission check passes.
 *
 *   export const inviteMember = tenantAction({ resource: "members", action: "invite" }, schema, async (input, { tx, session }) => …);
 */
export interface ActionContext {
  tx: TenantTx;
  session: TenantSession;
}

export function tenantAction<S extends z.ZodType, R extends Resource>(
  permission: { resource: R; action: Action<R> },
  schema: S,
  body: (input: z.output<S>, ctx: ActionContext) => Promise<FormState>,
): (previous: FormState, form: FormData) => Promise<FormState> {
  return async (_previous, form) => {
    const session = await currentTenant();
    if (!can(session.role, permission.resource, permission.action)) {
      return {
        status: "error",
        message: new ForbiddenError(permission.resource, String(permission.action), session.role).message,
      };
    }
    const parsed = parseForm(schema, form);
    if (!parsed.ok) return parsed.state;
    return withTenant(session.tenantId, (tx) => body(parsed.data, { tx, session }), { userId: session.userId });
  };
}
