import { redirect } from "next/navigation";
import { z } from "zod";
import { type TenantTx } from "@/db";
import { assertCan, ForbiddenError, type Action, type Resource } from "@/lib/permissions";
import { currentTenant, withSessionTenant, type TenantSession } from "@/lib/tenancy";

/**
 * One wrapper for tenant server actions: session and membership (from the database), permission
 * (lib/permissions.ts), zod validation with a message per field, then the work inside the session's
 * withTenant transaction. What the user typed comes back in `values`, so nothing is lost on an error.
 */
export interface FormState {
  ok?: boolean;
  message?: string;
  error?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
}

export interface ActionResult extends FormState {
  /** Redirect after the transaction has committed (a redirect thrown inside it would roll it back). */
  redirectTo?: string;
}

function formValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string" && !key.startsWith("$ACTION")) values[key] = value;
  }
  return values;
}

export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = String(issue.path[0] ?? "form");
    errors[key] ??= issue.message;
  }
  return errors;
}

export function tenantAction<S extends z.ZodType, R extends Resource>(
  schema: S,
  permission: { resource: R; action: Action<R> },
  work: (input: z.infer<S>, tx: TenantTx, session: TenantSession) => Promise<ActionResult>,
) {
  return async (_previous: FormState, form: FormData): Promise<FormState> => {
    const values = formValues(form);
    const session = await currentTenant();
    try {
      assertCan(session.role, permission.resource, permission.action);
    } catch (error) {
      if (error instanceof ForbiddenError) return { error: error.message, values };
      throw error;
    }
    const parsed = schema.safeParse(values);
    if (!parsed.success) return { fieldErrors: fieldErrorsOf(parsed.error), values };
    const result = await withSessionTenant((tx, s) => work(parsed.data, tx, s));
    if (result.redirectTo) redirect(result.redirectTo);
    return { ...result, values: result.ok ? undefined : values };
  };
}
