import NextAuth from "next-auth";
import { authConfig } from "./auth.config";

// Signed-out visitors of app pages go to /login. This only checks that a session exists; which
// tenant it may read is checked against the database by every page and action (lib/tenancy.ts).
const { auth } = NextAuth(authConfig);
export default auth;

export const config = {
  matcher: ["/((?!api/auth|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)"],
};
