"use server";

import { AuthError } from "next-auth";
import { z } from "zod";
import { signIn } from "@/auth";
import { signUp, databaseError, sqlState } from "@/db";
import { emailField, nameField, newPasswordField, workspaceField } from "@/lib/account-schemas";
import { formError, parseForm, type FormState } from "@/lib/forms";

// Sign-up has no session and no role yet: it is not in the permission table. The database function
// app.sign_up creates the user, a tenant with a unique slug and the owner membership in one go.

const signUpSchema = z.object({
  name: nameField,
  email: emailField,
  password: newPasswordField,
  workspace: workspaceField,
});

export async function createAccount(_prev: FormState, form: FormData): Promise<FormState> {
  const parsed = parseForm(signUpSchema, form);
  if (!parsed.ok) return parsed.state;
  try {
    await signUp(parsed.data);
  } catch (error) {
    const info = databaseError(error);
    if (info?.code === sqlState.uniqueViolation && info.constraint === "users_email_key") {
      // Sign-up cannot hide that an address has an account (see README, "Accounts").
      return formError("An account with this email already exists. Sign in instead.", form, {
        email: "Already registered.",
      });
    }
    if (info?.code === sqlState.invalidParameterValue) return formError(`Not accepted: ${info.message}.`, form);
    throw error;
  }
  try {
    await signIn("credentials", {
      email: parsed.data.email,
      password: parsed.data.password,
      redirectTo: "/conversations",
    });
  } catch (error) {
    if (error instanceof AuthError)
      return formError("Your account was created, but signing in failed. Sign in from the login page.", form);
    throw error;
  }
  return {};
}
