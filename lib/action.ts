import { redirect } from "next/navigation";
import type { z } from "zod";
import type { TenantTx } from "@/db";
import { lookupTenantSession, withSessionTenant, type TenantSession } from "@/lib/auth/session";
import { echoedValues, fail, parseForm, type FormState } from "@/lib/form-state";
import { can, refusal, type Permission } from "@/lib/permissions";

/**
 * The one way to write a server action. tenantAction: session -> active tenant (membership checked in
 * the database) -> permission -> zod validation -> the body inside withTenant (one transaction, signed
 * context, the user in it too) -> after commit: side effects, then the redirect. formAction: the same
 * without a tenant (sign-in, sign-up, invitation links). Both answer with a FormState; on an error it
 * carries back what was typed (never a secret).
 *
 *   export const inviteMember = tenantAction("members.invite", schema, async (input, { tx, session }) => …);
 */
export interface ActionOutcome extends FormState {
  /** Runs after the commit (email): never for a change that rolled back. Its answer replaces this one. */
  afterCommit?: () => Promise<FormState | void>;
  /** Where to go after the commit (a redirect thrown inside the transaction would roll it back). */
  redirectTo?: string;
}

export type FormAction = (previous: FormState, form: FormData) => Promise<FormState>;

export interface ActionContext {
  tx: TenantTx;
  session: TenantSession;
}

export function tenantAction<S extends z.ZodType>(
  permission: Permission,
  schema: S,
  body: (input: z.output<S>, context: ActionContext) => Promise<ActionOutcome>,
): FormAction {
  return async (_previous, form) => {
    const found = await lookupTenantSession();
    if (!found.ok) redirect(found.reason === "signed_out" ? "/login" : "/no-access");
    const { session } = found;
    if (!can(session.role, permission)) return withValues(fail(refusal(session.role, permission)), form);
    const parsed = parseForm(schema, form);
    if (!parsed.ok) return withValues(parsed.state, form);
    const outcome = await withSessionTenant(session, (tx) => body(parsed.data, { tx, session }));
    return finish(outcome, form);
  };
}

export function formAction<S extends z.ZodType>(
  schema: S,
  body: (input: z.output<S>, form: FormData) => Promise<ActionOutcome>,
): FormAction {
  return async (_previous, form) => {
    const parsed = parseForm(schema, form);
    if (!parsed.ok) return withValues(parsed.state, form);
    return finish(await body(parsed.data, form), form);
  };
}

async function finish({ afterCommit, redirectTo, ...state }: ActionOutcome, form: FormData): Promise<FormState> {
  const answer = (afterCommit && (await afterCommit())) || state;
  if (redirectTo && answer.status !== "error") redirect(redirectTo);
  return withValues(answer, form);
}

function withValues(state: FormState, form: FormData): FormState {
  return state.status === "error" && !state.values ? { ...state, values: echoedValues(form) } : state;
}
