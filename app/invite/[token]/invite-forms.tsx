"use client";

import { useActionState } from "react";
import { Field, FormMessage, SubmitButton } from "@/components/form";
import { labelClass } from "@/components/ui";
import type { FormState } from "@/lib/form-state";
import { acceptAsNewUser, acceptAsSignedInUser, decline } from "./actions";

export function AcceptForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(acceptAsSignedInUser, {});
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Joining…" wide>
        Accept invitation
      </SubmitButton>
    </form>
  );
}

export function NewAccountForm({ token, email }: { token: string; email: string }) {
  const [state, action] = useActionState<FormState, FormData>(acceptAsNewUser, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <input type="hidden" name="token" value={token} />
      <div>
        <span className={labelClass}>Email</span>
        <span className="mt-1 block text-sm text-slate-600 dark:text-slate-400">{email}</span>
      </div>
      <Field name="name" label="Your name" autoComplete="name" required state={state} />
      <Field
        name="password"
        label="Choose a password"
        type="password"
        autoComplete="new-password"
        required
        state={state}
        hint="At least 8 characters."
      />
      <FormMessage state={state} />
      <SubmitButton pendingText="Joining…" wide>
        Create account and join
      </SubmitButton>
    </form>
  );
}

export function DeclineForm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(decline, {});
  if (state.status === "ok") return <FormMessage state={state} />;
  return (
    <form action={action} className="space-y-3">
      <input type="hidden" name="token" value={token} />
      <FormMessage state={state} />
      <SubmitButton variant="secondary" pendingText="Declining…" wide>
        Decline
      </SubmitButton>
    </form>
  );
}
