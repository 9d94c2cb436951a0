import { z } from "zod";
import { isUuid } from "@/db";

/**
 * The zod building blocks every entry point validates with (forms, query strings, API bodies), so a
 * field means the same thing, with the same message, wherever it is entered. The database checks the
 * account fields again.
 */
export const emailField = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, "Enter your email.")
  .email("Enter a valid email address.")
  .max(320, "That email is too long.");
export const nameField = z.string().trim().min(1, "Enter your name.").max(100, "At most 100 characters.");
export const newPasswordField = z
  .string()
  .min(8, "At least 8 characters.")
  .refine((p) => Buffer.byteLength(p, "utf8") <= 72, "At most 72 bytes (bcrypt ignores the rest).");
export const workspaceField = z.string().trim().min(1, "Name your workspace.").max(100, "At most 100 characters.");

/** A row's id: a UUID, lower-cased. Another tenant's id passes here and is then simply not found. */
export const idField = (message = "Not a valid id.") =>
  z
    .string()
    .refine(isUuid, message)
    .transform((v) => v.toLowerCase());

/** A UTC calendar day as YYYY-MM-DD that exists (not 2025-02-30). */
export const dayField = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "Use a date like 2025-01-31.")
  .refine(
    (v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v),
    "Not a calendar date.",
  );

const hasControlCharacter = (v: string) => [...v].some((ch) => ch.charCodeAt(0) < 32 || ch.charCodeAt(0) === 127);

/** One line of text a person typed, trimmed, without control characters. */
export const lineField = (min: number, max: number, messages: { min: string; max: string }) =>
  z
    .string()
    .trim()
    .min(min, messages.min)
    .max(max, messages.max)
    .refine((v) => !hasControlCharacter(v), "Control characters are not allowed.");

/** The secret of a link (invitation, magic link): base64url, as the app makes them. */
export const linkToken = /^[A-Za-z0-9_-]{20,100}$/;
export const linkTokenField = (message: string) => z.string().regex(linkToken, message);

/**
 * An Idempotency-Key header: what the client chose to name one logical request (a UUID is typical),
 * 1-255 visible ASCII characters, compared exactly.
 */
export const idempotencyKeyField = z
  .string()
  .min(1, "Send a non-empty key.")
  .max(255, "At most 255 characters.")
  .regex(/^[\x21-\x7e]+$/, "Use visible ASCII characters only (no spaces).");
