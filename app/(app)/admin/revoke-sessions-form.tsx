"use client";

import { useActionState } from "react";
import { Field, FormMessage, SubmitButton } from "@/components/form";
import type { FormState } from "@/lib/form-state";
import { revokeSessions } from "./actions";

export function RevokeSessionsForm() {
  const [state, action] = useActionState<FormState, FormData>(revokeSessions, {});
  return (
    <form action={action} className="space-y-4" noValidate aria-labelledby="revoke-heading">
      <Field name="email" label="Account email" type="email" autoComplete="off" required state={state} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Revoking…">Revoke every session</SubmitButton>
    </form>
  );
}
