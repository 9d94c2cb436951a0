"use client";

import { useFormStatus } from "react-dom";
import type { FormState } from "@/lib/form-state";
import { buttonClass, controlClass, labelClass, Notice, type ButtonVariant } from "./ui";

/**
 * The form kit: every form is `useActionState(action, {})` and these pieces, which take the action's
 * FormState. A field shows its server-side message underneath (aria-describedby) and is refilled with
 * what was typed after an error (never a password).
 */
interface FieldProps extends React.InputHTMLAttributes<HTMLInputElement> {
  name: string;
  label: string;
  state: FormState;
  hint?: string;
}

export function Field({ name, label, state, hint, id, defaultValue, ...input }: FieldProps) {
  const inputId = id ?? `field-${name}`;
  const error = fieldMessage(state, name);
  return (
    <div>
      <label htmlFor={inputId} className={labelClass}>
        {label}
      </label>
      <input
        id={inputId}
        name={name}
        aria-invalid={state.fieldErrors?.[name] ? true : undefined}
        aria-describedby={describedBy(inputId, error, hint)}
        defaultValue={input.type === "password" ? undefined : (state.values?.[name] ?? defaultValue)}
        className={controlClass}
        {...input}
      />
      <FieldNote id={inputId} error={error} hint={hint} />
    </div>
  );
}

interface SelectProps extends React.SelectHTMLAttributes<HTMLSelectElement> {
  name: string;
  label: string;
  state: FormState;
  options: readonly { value: string; label: string }[];
  /** Label for screen readers only (a compact row of controls). */
  hiddenLabel?: boolean;
}

export function SelectField({ name, label, state, options, id, defaultValue, hiddenLabel, ...select }: SelectProps) {
  const selectId = id ?? `field-${name}`;
  const error = fieldMessage(state, name);
  return (
    <div>
      <label htmlFor={selectId} className={hiddenLabel ? "sr-only" : labelClass}>
        {label}
      </label>
      <select
        id={selectId}
        name={name}
        aria-invalid={state.fieldErrors?.[name] ? true : undefined}
        aria-describedby={describedBy(selectId, error)}
        defaultValue={state.values?.[name] ?? defaultValue}
        className={controlClass}
        {...select}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
      <FieldNote id={selectId} error={error} />
    </div>
  );
}

/** The field's own message, unless it is already the form's message (shown once, as the alert). */
function fieldMessage(state: FormState, name: string): string | undefined {
  const error = state.fieldErrors?.[name];
  return error === state.message ? undefined : error;
}

function describedBy(id: string, error?: string, hint?: string): string | undefined {
  return [error ? `${id}-error` : null, hint && !error ? `${id}-hint` : null].filter(Boolean).join(" ") || undefined;
}

function FieldNote({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  if (error) {
    return (
      <p id={`${id}-error`} className="mt-1 text-sm text-red-700 dark:text-red-400">
        {error}
      </p>
    );
  }
  return hint ? (
    <p id={`${id}-hint`} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
      {hint}
    </p>
  ) : null;
}

export function SubmitButton({
  children,
  pendingText = "Working…",
  variant = "primary",
  size = "md",
  wide = false,
}: {
  children: React.ReactNode;
  pendingText?: string;
  variant?: ButtonVariant;
  size?: "md" | "sm";
  wide?: boolean;
}) {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      aria-busy={pending || undefined}
      className={`${buttonClass(variant, size)}${wide ? " w-full" : ""}`}
    >
      {pending ? pendingText : children}
    </button>
  );
}

/** The form-level message: an error (role=alert) or a confirmation (role=status). */
export function FormMessage({ state }: { state: FormState }) {
  if (!state.message) return null;
  return <Notice tone={state.status === "error" ? "error" : "success"}>{state.message}</Notice>;
}

/** Asks before a destructive submit; the action runs only on "OK". */
export function confirmSubmit(message: string) {
  return (event: React.FormEvent<HTMLFormElement>) => {
    if (!window.confirm(message)) event.preventDefault();
  };
}
