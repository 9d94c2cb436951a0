"use server";

import { AuthError } from "next-auth";
import { signIn } from "@/auth";

export interface LoginState {
  error?: string;
  email?: string;
}

export async function login(_prev: LoginState, form: FormData): Promise<LoginState> {
  const email = String(form.get("email") ?? "").trim();
  const password = String(form.get("password") ?? "");
  if (!email || !password) return { error: "Enter your email and password.", email };
  try {
    await signIn("credentials", { email, password, redirectTo: "/conversations" });
    return {};
  } catch (error) {
    // A successful signIn throws Next's redirect, which must propagate.
    if (error instanceof AuthError) {
      // Wrong password and unknown email get the same answer.
      return { error: error.type === "CredentialsSignin" ? "Email or password is incorrect." : "Sign-in failed. Try again.", email };
    }
    throw error;
  }
}
