"use client";

import { useActionState } from "react";
import { FormMessage, SubmitButton, TextField, FieldError, inputClass } from "@/components/form";
import type { FormState } from "@/lib/validated-action";
import { createAgentAction, renameAgentAction, setAgentDisabledAction } from "./actions";

const knownVerticals = ["healthcare", "property-management", "salon", "retail", "hospitality"];

export function CreateAgentForm() {
  const [state, action] = useActionState<FormState, FormData>(createAgentAction, {});
  const values = state.values ?? {};
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} noValidate className="space-y-4" aria-label="New agent">
      <FormMessage error={state.error} />
      <TextField
        id="agent-name"
        name="name"
        label="Name"
        defaultValue={values.name}
        error={errors.name}
        required
        hint="Unique in this workspace, e.g. Front Desk Voice."
      />
      <div>
        <label htmlFor="agent-channel" className="block text-sm font-medium">
          Channel
        </label>
        <select
          id="agent-channel"
          name="channel"
          defaultValue={values.channel ?? "voice"}
          aria-invalid={errors.channel ? true : undefined}
          aria-describedby={errors.channel ? "agent-channel-error" : undefined}
          className={inputClass}
        >
          <option value="voice">Voice</option>
          <option value="chat">Chat</option>
        </select>
        <FieldError id="agent-channel-error" message={errors.channel} />
      </div>
      <TextField
        id="agent-vertical"
        name="vertical"
        label="Line of business"
        defaultValue={values.vertical}
        error={errors.vertical}
        required
        list="verticals"
      />
      <datalist id="verticals">
        {knownVerticals.map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
      <SubmitButton pendingLabel="Creating…">Create agent</SubmitButton>
    </form>
  );
}

export function RenameAgentForm({ agentId, name }: { agentId: string; name: string }) {
  const [state, action] = useActionState<FormState, FormData>(renameAgentAction, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={action} noValidate className="space-y-3" aria-label="Rename agent">
      <input type="hidden" name="agentId" value={agentId} />
      <TextField
        key={name}
        id="rename-name"
        name="name"
        label="Name"
        defaultValue={state.values?.name ?? name}
        error={errors.name ?? errors.agentId}
        required
      />
      <FormMessage error={state.error} message={state.message} />
      <SubmitButton pendingLabel="Saving…">Rename</SubmitButton>
    </form>
  );
}

export function AgentStatusForm({ agentId, disabled }: { agentId: string; disabled: boolean }) {
  const [state, action] = useActionState<FormState, FormData>(setAgentDisabledAction, {});
  return (
    <form action={action} className="space-y-3" aria-label={disabled ? "Enable agent" : "Disable agent"}>
      <input type="hidden" name="agentId" value={agentId} />
      <input type="hidden" name="disabled" value={disabled ? "false" : "true"} />
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {disabled
          ? "This agent is disabled. Its conversations stay searchable; enable it to take new ones."
          : "Disabling keeps the agent's conversations but marks it out of service."}
      </p>
      <FormMessage error={state.error ?? state.fieldErrors?.agentId} message={state.message} />
      <SubmitButton variant={disabled ? "secondary" : "danger"} pendingLabel={disabled ? "Enabling…" : "Disabling…"}>
        {disabled ? "Enable agent" : "Disable agent"}
      </SubmitButton>
    </form>
  );
}
