"use client";

import { useActionState } from "react";
import { confirmSubmit, FormMessage, SubmitButton } from "@/components/form";
import type { FormState } from "@/lib/form-state";
import { revokeKeyAction } from "./actions";

export function RevokeKeyButton({ id, name }: { id: string; name: string }) {
  const [state, action] = useActionState<FormState, FormData>(revokeKeyAction, {});
  return (
    <form
      action={action}
      onSubmit={confirmSubmit(`Revoke “${name}”? Requests with this key will get 401 from now on.`)}
    >
      <input type="hidden" name="id" value={id} />
      <SubmitButton variant="danger" size="sm" pendingText="Revoking…">
        Revoke<span className="sr-only"> {name}</span>
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}
