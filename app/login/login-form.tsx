"use client";

import { useActionState } from "react";
import { Field, FormMessage, SubmitButton } from "@/components/form";
import type { FormState } from "@/lib/form-state";
import { login, requestMagicLink } from "./actions";

export function LoginForm({ next }: { next?: string }) {
  const [state, action] = useActionState<FormState, FormData>(login, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      {next ? <input type="hidden" name="next" value={next} /> : null}
      <Field name="email" label="Email" type="email" autoComplete="email" required state={state} />
      <Field name="password" label="Password" type="password" autoComplete="current-password" required state={state} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Signing in…" wide>
        Sign in
      </SubmitButton>
    </form>
  );
}

export function MagicLinkForm() {
  const [state, action] = useActionState<FormState, FormData>(requestMagicLink, {});
  return (
    <form action={action} className="space-y-3" noValidate aria-label="Email me a sign-in link">
      <Field
        name="email"
        id="magic-email"
        label="Email for a sign-in link"
        type="email"
        autoComplete="email"
        required
        state={state}
      />
      <FormMessage state={state} />
      <SubmitButton variant="secondary" pendingText="Sending…" wide>
        Email me a sign-in link
      </SubmitButton>
    </form>
  );
}
