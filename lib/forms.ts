import type { z } from "zod";

/**
 * What a form's server action returns to the form: a message for the whole form, one message per
 * field, and the submitted values (passwords excluded) so nothing typed is lost on an error.
 */
export interface FormState {
  status?: "ok" | "error";
  message?: string;
  fieldErrors?: Record<string, string>;
  values?: Record<string, string>;
  /** Extra result for the form to show (for example an invitation link). */
  result?: Record<string, string>;
}

const secretField = /password|token|secret/i;

export function submittedValues(form: FormData): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [key, value] of form.entries()) {
    if (typeof value === "string" && !key.startsWith("$") && !secretField.test(key)) values[key] = value;
  }
  return values;
}

export function formError(message: string, form?: FormData, fieldErrors?: Record<string, string>): FormState {
  return { status: "error", message, fieldErrors, values: form ? submittedValues(form) : undefined };
}

/** Validates a form with zod on the server; on failure, the first message of each field. */
export function parseForm<S extends z.ZodType>(
  schema: S,
  form: FormData,
): { ok: true; data: z.output<S> } | { ok: false; state: FormState } {
  const raw: Record<string, string> = {};
  for (const [key, value] of form.entries()) if (typeof value === "string" && !key.startsWith("$")) raw[key] = value;
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, data: parsed.data };
  const fieldErrors: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "form");
    fieldErrors[field] ??= issue.message;
  }
  return { ok: false, state: formError("Please correct the highlighted fields.", form, fieldErrors) };
}
