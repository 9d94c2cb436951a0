import Form from "next/form";
import Link from "next/link";
import { channels, conversationStatuses } from "@/db/schema";
import { FieldError, SubmitButton, inputClass } from "@/components/form";
import { hasFilters, type FilterErrors, type RawFilters } from "@/lib/conversation-filters";

interface Props {
  raw: RawFilters;
  errors: FilterErrors;
  agents: { id: string; name: string; disabled: boolean }[];
}

const labelClass = "block text-xs font-medium text-slate-600 dark:text-slate-400";

function describedBy(errors: FilterErrors, key: keyof FilterErrors, extra?: string) {
  return [errors[key] ? `filter-${key}-error` : null, extra ?? null].filter(Boolean).join(" ") || undefined;
}

/**
 * A GET form: the filters live in the URL, so it works without JavaScript and links can be shared.
 * (The list page has no loading.tsx on purpose: a Suspense boundary streams the results into a
 * hidden element that only JavaScript reveals. The button shows the pending state instead.)
 */
export function FiltersForm({ raw, errors, agents }: Props) {
  const invalid = (key: keyof FilterErrors) => (errors[key] ? true : undefined);
  return (
    <Form
      action="/conversations"
      role="search"
      aria-label="Search and filter conversations"
      className="space-y-3 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900"
    >
      <div>
        <label htmlFor="filter-q" className={labelClass}>
          Search summaries and transcripts
        </label>
        <input
          id="filter-q"
          name="q"
          type="search"
          defaultValue={raw.q}
          placeholder={'e.g. refund request, "security deposit", -cancel'}
          aria-invalid={invalid("q")}
          aria-describedby={describedBy(errors, "q", "filter-q-hint")}
          className={inputClass}
        />
        <p id="filter-q-hint" className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          Quotes for a phrase, a minus to exclude a word, “or” for either.
        </p>
        <FieldError id="filter-q-error" message={errors.q} />
      </div>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2 lg:grid-cols-5">
        <div>
          <label htmlFor="filter-agent" className={labelClass}>
            Agent
          </label>
          <select
            id="filter-agent"
            name="agent"
            defaultValue={raw.agent ?? ""}
            aria-invalid={invalid("agent")}
            aria-describedby={describedBy(errors, "agent")}
            className={inputClass}
          >
            <option value="">All agents</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
                {a.disabled ? " (disabled)" : ""}
              </option>
            ))}
          </select>
          <FieldError id="filter-agent-error" message={errors.agent} />
        </div>
        <div>
          <label htmlFor="filter-channel" className={labelClass}>
            Channel
          </label>
          <select
            id="filter-channel"
            name="channel"
            defaultValue={raw.channel ?? ""}
            aria-invalid={invalid("channel")}
            aria-describedby={describedBy(errors, "channel")}
            className={inputClass}
          >
            <option value="">Any channel</option>
            {channels.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <FieldError id="filter-channel-error" message={errors.channel} />
        </div>
        <div>
          <label htmlFor="filter-status" className={labelClass}>
            Status
          </label>
          <select
            id="filter-status"
            name="status"
            defaultValue={raw.status ?? ""}
            aria-invalid={invalid("status")}
            aria-describedby={describedBy(errors, "status")}
            className={inputClass}
          >
            <option value="">Any status</option>
            {conversationStatuses.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <FieldError id="filter-status-error" message={errors.status} />
        </div>
        <div>
          <label htmlFor="filter-from" className={labelClass}>
            From (UTC)
          </label>
          <input
            id="filter-from"
            name="from"
            type="date"
            defaultValue={raw.from}
            aria-invalid={invalid("from")}
            aria-describedby={describedBy(errors, "from")}
            className={inputClass}
          />
          <FieldError id="filter-from-error" message={errors.from} />
        </div>
        <div>
          <label htmlFor="filter-to" className={labelClass}>
            To (UTC, inclusive)
          </label>
          <input
            id="filter-to"
            name="to"
            type="date"
            defaultValue={raw.to}
            aria-invalid={invalid("to")}
            aria-describedby={describedBy(errors, "to")}
            className={inputClass}
          />
          <FieldError id="filter-to-error" message={errors.to} />
        </div>
      </div>
      <div className="flex flex-wrap items-center gap-3">
        <SubmitButton pendingLabel="Searching…">Apply</SubmitButton>
        {hasFilters(raw) ? (
          <Link href="/conversations" className="text-sm text-indigo-700 hover:underline dark:text-indigo-300">
            Clear filters
          </Link>
        ) : null}
      </div>
    </Form>
  );
}
