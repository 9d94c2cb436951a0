import { z } from "zod";

/** Account fields, validated the same way wherever they are entered (the database checks them again). */
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
