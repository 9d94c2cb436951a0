import NextAuth from "next-auth";
import { authConfig } from "./auth.config";

// Signed-out visitors of app pages go to /login. This only checks that a session exists; which
// tenant it may read is checked against the database by every page and action (lib/tenancy.ts).
const { auth } = NextAuth(authConfig);
export default auth;

// The API routes (/api/v1, /api/agent, /api/mcp) authenticate each request themselves (API key or
// session) and answer 401 JSON, never a redirect to the sign-in page.
export const config = {
  matcher: ["/((?!api/auth|api/v1/|api/agent/|api/mcp|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)"],
};
