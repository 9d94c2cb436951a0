"use server";

import { AuthError } from "next-auth";
import { z } from "zod";
import { databaseError, signUp, sqlState } from "@/db";
import { signIn } from "@/lib/auth";
import { formAction } from "@/lib/action";
import { fail, ok } from "@/lib/form-state";
import { emailField, nameField, newPasswordField, workspaceField } from "@/lib/validation";

// Sign-up has no session and no role yet: it is not in the permission table. The database function
// app.sign_up creates the user, a tenant with a unique slug and the owner membership in one go.

const signUpSchema = z.object({
  name: nameField,
  email: emailField,
  password: newPasswordField,
  workspace: workspaceField,
});

export const createAccount = formAction(signUpSchema, async (input) => {
  try {
    await signUp(input);
  } catch (error) {
    const info = databaseError(error);
    if (info?.code === sqlState.uniqueViolation && info.constraint === "users_email_key") {
      // Sign-up cannot hide that an address has an account (docs/accounts-and-teams.md).
      return fail("An account with this email already exists. Sign in instead.", { email: "Already registered." });
    }
    if (info?.code === sqlState.invalidParameterValue) return fail(`Not accepted: ${info.message}.`);
    throw error;
  }
  try {
    await signIn("credentials", { email: input.email, password: input.password, redirectTo: "/conversations" });
  } catch (error) {
    if (error instanceof AuthError) {
      return fail("Your account was created, but signing in failed. Sign in from the login page.");
    }
    throw error;
  }
  return ok();
});
