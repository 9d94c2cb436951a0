"use client";

import { useActionState, useState } from "react";
import { createKeyAction, type CreateKeyState } from "./actions";

export function CreateKeyForm() {
  const [state, action, pending] = useActionState<CreateKeyState, FormData>(createKeyAction, {});
  const [copied, setCopied] = useState(false);
  return (
    <div className="space-y-3">
      <form action={action} className="flex flex-wrap items-end gap-3" noValidate>
        <div className="min-w-64 flex-1">
          <label htmlFor="key-name" className="block text-sm font-medium">
            Name
          </label>
          <input
            id="key-name"
            name="name"
            maxLength={100}
            required
            defaultValue={state.created ? "" : state.name}
            placeholder="e.g. Front desk voice agent"
            className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 shadow-sm focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/30 dark:border-slate-700 dark:bg-slate-900"
          />
        </div>
        <button
          type="submit"
          disabled={pending}
          className="rounded-md bg-indigo-600 px-4 py-2 font-medium text-white hover:bg-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/50 disabled:opacity-60"
        >
          {pending ? "Creating…" : "Create key"}
        </button>
      </form>
      {state.error ? (
        <p
          role="alert"
          className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-700 dark:bg-red-950 dark:text-red-300"
        >
          {state.error}
        </p>
      ) : null}
      {state.created ? (
        <div
          className="space-y-2 rounded-xl border border-emerald-300 bg-emerald-50 p-4 text-sm dark:border-emerald-800 dark:bg-emerald-950"
          data-testid="new-key"
        >
          <p className="font-medium">
            Key “{state.created.name}” created. Copy it now: it is shown only once and stored only as a hash.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code
              className="break-all rounded bg-white px-2 py-1 font-mono dark:bg-slate-900"
              data-testid="new-key-value"
            >
              {state.created.key}
            </code>
            <button
              type="button"
              onClick={() =>
                navigator.clipboard.writeText(state.created!.key).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
              className="rounded-md border border-slate-300 px-3 py-1 hover:bg-white dark:border-slate-700 dark:hover:bg-slate-900"
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
        </div>
      ) : null}
    </div>
  );
}
