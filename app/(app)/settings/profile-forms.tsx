"use client";

import { useActionState } from "react";
import { Field, FormMessage, SubmitButton } from "@/components/form";
import type { FormState } from "@/lib/form-state";
import { changePassword, signOutOtherSessions, updateProfile } from "./actions";

export function ProfileForm({ name }: { name: string }) {
  const [state, action] = useActionState<FormState, FormData>(updateProfile, {});
  return (
    <form action={action} className="space-y-4" noValidate aria-labelledby="profile-heading">
      <Field name="name" label="Name" autoComplete="name" defaultValue={name} required state={state} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Saving…">Save profile</SubmitButton>
    </form>
  );
}

export function PasswordForm() {
  const [state, action] = useActionState<FormState, FormData>(changePassword, {});
  return (
    <form action={action} className="space-y-4" noValidate aria-labelledby="password-heading">
      <Field
        name="current"
        label="Current password"
        type="password"
        autoComplete="current-password"
        required
        state={state}
      />
      <Field
        name="password"
        label="New password"
        type="password"
        autoComplete="new-password"
        required
        state={state}
        hint="At least 8 characters."
      />
      <Field
        name="confirm"
        label="Repeat the new password"
        type="password"
        autoComplete="new-password"
        required
        state={state}
      />
      <FormMessage state={state} />
      <SubmitButton pendingText="Changing…">Change password</SubmitButton>
    </form>
  );
}

export function OtherSessionsForm() {
  const [state, action] = useActionState<FormState, FormData>(signOutOtherSessions, {});
  return (
    <form action={action} className="space-y-4" aria-labelledby="sessions-heading">
      <FormMessage state={state} />
      <SubmitButton pendingText="Signing out…">Sign out other devices</SubmitButton>
    </form>
  );
}
