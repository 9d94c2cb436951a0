"use client";

import { useActionState } from "react";
import { FormMessage, SubmitButton } from "@/components/form";
import type { FormState } from "@/lib/form-state";
import { signInWithMagicLink } from "../actions";

export function MagicLinkConfirm({ token }: { token: string }) {
  const [state, action] = useActionState<FormState, FormData>(signInWithMagicLink, {});
  return (
    <form action={action} className="space-y-4">
      <input type="hidden" name="token" value={token} />
      <FormMessage state={state} />
      <SubmitButton pendingText="Signing in…" wide>
        Sign in
      </SubmitButton>
    </form>
  );
}
