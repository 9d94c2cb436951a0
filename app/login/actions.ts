"use server";

import { AuthError } from "next-auth";
import { z } from "zod";
import { signIn } from "@/auth";
import { formError, parseForm, type FormState } from "@/lib/forms";
import { sendMagicLink } from "@/lib/magic-links";
import { safeAppPath } from "@/lib/safe-redirect";
import { SignInThrottled } from "@/lib/sign-in";
import { env } from "@/lib/env";

// Sign-in is authorised by the credentials themselves (no session, no role yet): no permission-table row.

const loginSchema = z.object({
  email: z.string().trim().min(1, "Enter your email.").email("Enter a valid email address.").max(320),
  password: z.string().min(1, "Enter your password.").max(200),
  next: z.string().optional(),
});

export async function login(_prev: FormState, form: FormData): Promise<FormState> {
  const parsed = parseForm(loginSchema, form);
  if (!parsed.ok) return parsed.state;
  const { email, password, next } = parsed.data;
  try {
    await signIn("credentials", { email, password, redirectTo: safeAppPath(next) });
    return {};
  } catch (error) {
    // A successful signIn throws Next's redirect, which must propagate.
    if (error instanceof SignInThrottled) {
      return formError(`Too many failed sign-ins. Try again in ${error.retryAfterSeconds} seconds.`, form);
    }
    if (error instanceof AuthError) {
      // Wrong password and unknown email get the same answer.
      return formError(
        error.type === "CredentialsSignin" ? "Email or password is incorrect." : "Sign-in failed. Try again.",
        form,
      );
    }
    throw error;
  }
}

const magicLinkSchema = z.object({
  email: z.string().trim().toLowerCase().min(1, "Enter your email.").email("Enter a valid email address.").max(320),
});

export async function requestMagicLink(_prev: FormState, form: FormData): Promise<FormState> {
  if (!env().AUTH_MAGIC_LINKS) return formError("Sign-in links are not enabled.", form);
  const parsed = parseForm(magicLinkSchema, form);
  if (!parsed.ok) return parsed.state;
  await sendMagicLink(parsed.data.email);
  // The same answer whether or not the address has an account.
  return {
    status: "ok",
    message: `If ${parsed.data.email} has an account, a sign-in link is on its way. It works once, for 15 minutes.`,
  };
}

export async function signInWithMagicLink(_prev: FormState, form: FormData): Promise<FormState> {
  try {
    await signIn("magic-link", { token: String(form.get("token") ?? ""), redirectTo: "/conversations" });
    return {};
  } catch (error) {
    if (error instanceof AuthError) return formError("This sign-in link is not valid any more. Ask for a new one.");
    throw error;
  }
}

export async function signInWithProvider(provider: string): Promise<void> {
  const e = env();
  const enabled = { github: Boolean(e.AUTH_GITHUB_ID), google: Boolean(e.AUTH_GOOGLE_ID) };
  if (provider !== "github" && provider !== "google") throw new Error("Unknown sign-in provider.");
  if (!enabled[provider]) throw new Error(`${provider} sign-in is not enabled.`);
  await signIn(provider, { redirectTo: "/conversations" });
}
