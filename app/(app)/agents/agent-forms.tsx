"use client";

import { useActionState } from "react";
import { Field, FormMessage, SelectField, SubmitButton } from "@/components/form";
import type { FormState } from "@/lib/form-state";
import { createAgentAction, renameAgentAction, setAgentDisabledAction } from "./actions";

const knownVerticals = ["healthcare", "property-management", "salon", "retail", "hospitality"];
const channelOptions = [
  { value: "voice", label: "Voice" },
  { value: "chat", label: "Chat" },
];

export function CreateAgentForm() {
  const [state, action] = useActionState<FormState, FormData>(createAgentAction, {});
  return (
    <form action={action} noValidate className="space-y-4" aria-label="New agent">
      <FormMessage state={state} />
      <Field
        id="agent-name"
        name="name"
        label="Name"
        state={state}
        required
        hint="Unique in this workspace, e.g. Front Desk Voice."
      />
      <SelectField
        id="agent-channel"
        name="channel"
        label="Channel"
        options={channelOptions}
        defaultValue="voice"
        state={state}
      />
      <Field id="agent-vertical" name="vertical" label="Line of business" state={state} required list="verticals" />
      <datalist id="verticals">
        {knownVerticals.map((v) => (
          <option key={v} value={v} />
        ))}
      </datalist>
      <SubmitButton pendingText="Creating…">Create agent</SubmitButton>
    </form>
  );
}

export function RenameAgentForm({ agentId, name }: { agentId: string; name: string }) {
  const [state, action] = useActionState<FormState, FormData>(renameAgentAction, {});
  return (
    <form action={action} noValidate className="space-y-3" aria-label="Rename agent">
      <input type="hidden" name="agentId" value={agentId} />
      <Field key={name} id="rename-name" name="name" label="Name" defaultValue={name} state={state} required />
      <FormMessage state={state} />
      <SubmitButton pendingText="Saving…">Rename</SubmitButton>
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
      <FormMessage state={state} />
      <SubmitButton variant={disabled ? "secondary" : "danger"} pendingText={disabled ? "Enabling…" : "Disabling…"}>
        {disabled ? "Enable agent" : "Disable agent"}
      </SubmitButton>
    </form>
  );
}
