"use server";

import { headers } from "next/headers";
import { AuthError } from "next-auth";
import { z } from "zod";
import { signIn } from "@/lib/auth";
import { sendMagicLink } from "@/lib/auth/magic-links";
import { SignInThrottled } from "@/lib/auth/sign-in";
import { formAction } from "@/lib/action";
import { env } from "@/lib/env";
import { fail, ok } from "@/lib/form-state";
import { clientIp } from "@/lib/request-info";
import { safeAppPath } from "@/lib/safe-redirect";
import { emailField, linkTokenField } from "@/lib/validation";

// Sign-in is authorised by the credentials themselves (no session, no role yet): no permission-table row.

const loginSchema = z.object({
  email: emailField,
  password: z.string().min(1, "Enter your password.").max(200),
  next: z.string().optional(),
});

export const login = formAction(loginSchema, async ({ email, password, next }) => {
  try {
    await signIn("credentials", { email, password, redirectTo: safeAppPath(next) });
    return ok();
  } catch (error) {
    // A successful signIn throws Next's redirect, which must propagate.
    if (error instanceof SignInThrottled) {
      return fail(`Too many failed sign-ins. Try again in ${error.retryAfterSeconds} seconds.`);
    }
    // Wrong password and unknown email get the same answer.
    if (error instanceof AuthError) {
      return fail(
        error.type === "CredentialsSignin" ? "Email or password is incorrect." : "Sign-in failed. Try again.",
      );
    }
    throw error;
  }
});

export const requestMagicLink = formAction(z.object({ email: emailField }), async ({ email }) => {
  if (!env().AUTH_MAGIC_LINKS) return fail("Sign-in links are not enabled.");
  const outcome = await sendMagicLink(email, clientIp(await headers()));
  if (outcome.kind === "throttled") {
    const minutes = Math.ceil(outcome.retryAfterSeconds / 60);
    return fail(
      `Too many sign-in links were asked for this address or from your network. No email was sent; try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    );
  }
  if (outcome.kind === "not_sent") return fail("The sign-in email could not be sent. Try again later.");
  // The same answer whether or not the address has an account.
  return ok(`If ${email} has an account, a sign-in link is on its way. It works once, for 15 minutes.`);
});

const linkNotValid = "This sign-in link is not valid any more. Ask for a new one.";

export const signInWithMagicLink = formAction(z.object({ token: linkTokenField(linkNotValid) }), async ({ token }) => {
  try {
    await signIn("magic-link", { token, redirectTo: "/conversations" });
    return ok();
  } catch (error) {
    if (error instanceof AuthError) return fail(linkNotValid);
    throw error;
  }
});

export async function signInWithProvider(provider: string): Promise<void> {
  const e = env();
  const enabled = { github: Boolean(e.AUTH_GITHUB_ID), google: Boolean(e.AUTH_GOOGLE_ID) };
  if (provider !== "github" && provider !== "google") throw new Error("Unknown sign-in provider.");
  if (!enabled[provider]) throw new Error(`${provider} sign-in is not enabled.`);
  await signIn(provider, { redirectTo: "/conversations" });
}
