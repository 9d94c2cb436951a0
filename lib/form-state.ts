import type { z } from "zod";
import { unstorableReason } from "@/lib/text";

/**
 * What every server action returns to its form: a message for the whole form, one message per field,
 * the submitted values so nothing typed is lost on an error (never a password, token or secret), and
 * an optional result for the form to show (an invitation link, a new API key).
 */
export interface FormState {
  status?: "ok" | "error";
  message?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  result?: Record<string, string>;
}

const secretField = /password|token|secret|current|confirm/i;

/** The form's text fields, without Next's own ($ACTION_…) entries. */
export function formFields(form: FormData): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string" && !key.startsWith("$")) fields[key] = value;
  return fields;
}

/** What may be echoed back into the form: every field but the secret ones. */
export function echoedValues(form: FormData): Record<string, string> {
  return Object.fromEntries(Object.entries(formFields(form)).filter(([key]) => !secretField.test(key)));
}

export function ok(message?: string, result?: Record<string, string>): FormState {
  return { status: "ok", message, result };
}

export function fail(message: string, fieldErrors?: Record<string, string>): FormState {
  return { status: "error", message, fieldErrors };
}

/** A refusal of one field: the field is marked, and its message is the form's (shown once, as the alert). */
export function fieldError(field: string, message: string): FormState {
  return fail(message, { [field]: message });
}

export const correctFields = "Please correct the highlighted fields.";

/** Several fields: each message shows under its field. One field: its message is the form's. */
function fieldErrorsState(fieldErrors: Record<string, string>): FormState {
  const messages = Object.values(fieldErrors);
  return fail(messages.length === 1 ? messages[0]! : correctFields, fieldErrors);
}

/**
 * Validates a form with zod; on failure, the first message of each field. Every field, whatever its
 * schema, is refused first if PostgreSQL could not store it as typed (a NUL, a lone surrogate).
 */
export function parseForm<S extends z.ZodType>(
  schema: S,
  form: FormData,
): { ok: true; data: z.output<S> } | { ok: false; state: FormState } {
  const fields = formFields(form);
  const unstorable: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    const reason = unstorableReason(value);
    if (reason) unstorable[key] = `This field ${reason}.`;
  }
  if (Object.keys(unstorable).length > 0) return { ok: false, state: fieldErrorsState(unstorable) };
  const parsed = schema.safeParse(fields);
  if (parsed.success) return { ok: true, data: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) fieldErrors[String(issue.path[0] ?? "form")] ??= issue.message;
  return { ok: false, state: fieldErrorsState(fieldErrors) };
}
