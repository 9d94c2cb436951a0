"use client";

import Form from "next/form";
import { Field, SelectField, SubmitButton } from "@/components/form";
import { cardClass, TextLink } from "@/components/ui";
import type { FilterErrors, RawFilters } from "@/features/conversations/filters";
import type { FormState } from "@/lib/form-state";

interface Props {
  raw: RawFilters;
  errors: FilterErrors;
  agents: { id: string; name: string; disabled: boolean }[];
  channels: readonly string[];
  statuses: readonly string[];
  /** Whether any filter is set (the "Clear filters" link). */
  filtered: boolean;
}

const anyOf = (label: string, values: readonly string[]) => [
  { value: "", label },
  ...values.map((v) => ({ value: v, label: v })),
];

/**
 * A GET form: the filters live in the URL, so it works without JavaScript and links can be shared.
 * (The list page has no loading.tsx on purpose: a Suspense boundary streams the results into a
 * hidden element that only JavaScript reveals. The button shows the pending state instead.) Given
 * plain data: see "Many repeated elements" in docs/architecture.md.
 */
export function FiltersForm({ raw, errors, agents, channels, statuses, filtered }: Props) {
  const state: FormState = { values: raw, fieldErrors: errors };
  const agentOptions = [
    { value: "", label: "All agents" },
    ...agents.map((a) => ({ value: a.id, label: `${a.name}${a.disabled ? " (disabled)" : ""}` })),
  ];
  return (
    <Form
      action="/conversations"
      role="search"
      aria-label="Search and filter conversations"
      className={`space-y-3 p-4 ${cardClass}`}
    >
      <Field
        id="filter-q"
        name="q"
        type="search"
        label="Search summaries and transcripts"
        placeholder={'e.g. refund request, "security deposit", -cancel'}
        hint="Quotes for a phrase, a minus to exclude a word, “or” for either."
        state={state}
      />
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <SelectField
          id="filter-agent"
          name="agent"
          label="Agent"
          options={agentOptions}
          defaultValue=""
          state={state}
        />
        <SelectField
          id="filter-channel"
          name="channel"
          label="Channel"
          options={anyOf("Any channel", channels)}
          defaultValue=""
          state={state}
        />
        <SelectField
          id="filter-status"
          name="status"
          label="Status"
          options={anyOf("Any status", statuses)}
          defaultValue=""
          state={state}
        />
        <Field id="filter-from" name="from" type="date" label="From (UTC)" state={state} />
        <Field id="filter-to" name="to" type="date" label="To (UTC, inclusive)" state={state} />
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingText="Searching…">Apply</SubmitButton>
        {filtered ? (
          <TextLink href="/conversations" className="text-sm">
            Clear filters
          </TextLink>
        ) : null}
      </div>
    </Form>
  );
}
