"use client";

import { useActionState, useState } from "react";
import { Field, FormMessage, SubmitButton } from "@/components/form";
import { buttonClass, Callout } from "@/components/ui";
import type { FormState } from "@/lib/form-state";
import { createKeyAction } from "./actions";

export function CreateKeyForm() {
  const [state, action] = useActionState<FormState, FormData>(createKeyAction, {});
  const [copied, setCopied] = useState(false);
  const created = state.status === "ok" ? state.result : undefined;
  const key = created?.key;
  return (
    <div className="space-y-3">
      <form action={action} className="flex flex-wrap items-end gap-3" noValidate>
        <div className="min-w-64 flex-1">
          <Field
            id="key-name"
            name="name"
            label="Name"
            maxLength={100}
            required
            placeholder="e.g. Front desk voice agent"
            state={state}
          />
        </div>
        <SubmitButton pendingText="Creating…">Create key</SubmitButton>
      </form>
      <FormMessage state={state} />
      {created && key ? (
        <Callout tone="success" className="space-y-2" data-testid="new-key">
          <p className="font-medium">
            Key “{created.name}” created. Copy it now: it is shown only once and stored only as a hash.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code
              className="break-all rounded bg-white px-2 py-1 font-mono dark:bg-slate-900"
              data-testid="new-key-value"
            >
              {key}
            </code>
            <button
              type="button"
              onClick={() => {
                navigator.clipboard.writeText(key).then(
                  () => setCopied(true),
                  () => setCopied(false),
                );
              }}
              className={buttonClass("secondary", "sm")}
            >
              {copied ? "Copied" : "Copy"}
            </button>
          </div>
        </Callout>
      ) : null}
    </div>
  );
}
