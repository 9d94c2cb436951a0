"use client";

import { useActionState } from "react";
import { confirmSubmit, Field, FormMessage, SelectField, SubmitButton } from "@/components/form";
import { Callout, controlClass } from "@/components/ui";
import type { FormState } from "@/lib/form-state";
import { changeRoleAction, inviteMember, leaveWorkspace, removeMemberAction, revokeInvitationAction } from "./actions";

export type RoleOption = { value: string; label: string };

export function InviteForm({ roles }: { roles: RoleOption[] }) {
  const [state, action] = useActionState<FormState, FormData>(inviteMember, {});
  return (
    <form action={action} className="space-y-4" noValidate aria-labelledby="invite-heading">
      <div className="grid gap-4 sm:grid-cols-[1fr_12rem_auto] sm:items-start">
        <Field name="email" label="Email" type="email" autoComplete="off" required state={state} />
        <SelectField name="role" label="Role" options={roles} defaultValue="member" state={state} />
        <div className="sm:pt-6">
          <SubmitButton pendingText="Inviting…">Invite</SubmitButton>
        </div>
      </div>
      <FormMessage state={state} />
      {state.result?.link ? (
        <Callout tone="info">
          <label htmlFor="invite-link" className="font-medium">
            Invitation link (share it with them; it is shown only now)
          </label>
          <input
            id="invite-link"
            readOnly
            value={state.result.link}
            data-testid="invite-link"
            onFocus={(e) => e.currentTarget.select()}
            className={`${controlClass} font-mono text-xs`}
          />
        </Callout>
      ) : null}
    </form>
  );
}

export function RoleForm({
  userId,
  name,
  role,
  roles,
}: {
  userId: string;
  name: string;
  role: string;
  roles: RoleOption[];
}) {
  const [state, action] = useActionState<FormState, FormData>(changeRoleAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="userId" value={userId} />
      <SelectField
        id={`role-${userId}`}
        name="role"
        label={`Role of ${name}`}
        hiddenLabel
        options={roles}
        defaultValue={role}
        state={state}
      />
      <SubmitButton variant="secondary" pendingText="Saving…" size="sm">
        Save role
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function RemoveForm({ userId, name }: { userId: string; name: string }) {
  const [state, action] = useActionState<FormState, FormData>(removeMemberAction, {});
  return (
    <form
      action={action}
      onSubmit={confirmSubmit(`Remove ${name} from this workspace?`)}
      className="flex flex-wrap items-center gap-2"
    >
      <input type="hidden" name="userId" value={userId} />
      <SubmitButton variant="secondary" pendingText="Removing…" size="sm">
        Remove<span className="sr-only"> {name}</span>
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function RevokeForm({ invitationId, email }: { invitationId: string; email: string }) {
  const [state, action] = useActionState<FormState, FormData>(revokeInvitationAction, {});
  return (
    <form action={action} className="flex flex-wrap items-center gap-2">
      <input type="hidden" name="invitationId" value={invitationId} />
      <SubmitButton variant="secondary" pendingText="Revoking…" size="sm">
        Revoke<span className="sr-only"> invitation for {email}</span>
      </SubmitButton>
      <FormMessage state={state} />
    </form>
  );
}

export function LeaveForm({ tenantName }: { tenantName: string }) {
  const [state, action] = useActionState<FormState, FormData>(leaveWorkspace, {});
  return (
    <form
      action={action}
      onSubmit={confirmSubmit(`Leave ${tenantName}? You will lose access to its data.`)}
      className="space-y-3"
    >
      <FormMessage state={state} />
      <SubmitButton variant="danger" pendingText="Leaving…">
        Leave {tenantName}
      </SubmitButton>
    </form>
  );
}
