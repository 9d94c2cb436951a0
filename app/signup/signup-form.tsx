"use client";

import { useActionState } from "react";
import { Field, FormMessage, SubmitButton } from "@/components/form";
import type { FormState } from "@/lib/form-state";
import { createAccount } from "./actions";

export function SignUpForm() {
  const [state, action] = useActionState<FormState, FormData>(createAccount, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      <Field name="name" label="Your name" autoComplete="name" required state={state} />
      <Field name="email" label="Email" type="email" autoComplete="email" required state={state} />
      <Field
        name="password"
        label="Password"
        type="password"
        autoComplete="new-password"
        required
        state={state}
        hint="At least 8 characters."
      />
      <Field
        name="workspace"
        label="Workspace name"
        autoComplete="organization"
        required
        state={state}
        hint="Your company or team. You can invite people next."
      />
      <FormMessage state={state} />
      <SubmitButton pendingText="Creating your workspace…" wide>
        Create account
      </SubmitButton>
    </form>
  );
}
