import type { NextFetchEvent, NextMiddleware, NextRequest } from "next/server";
import NextAuth from "next-auth";
import { authConfig } from "@/lib/auth/config";

// Signed-out visitors of app pages go to /login. This only checks that a session exists; which
// tenant it may read is checked against the database by every page and action (lib/tenancy.ts).
const { auth } = NextAuth(authConfig);
// Called as Next calls a middleware, which is what `export default auth` did (next-auth's types only
// describe its wrapper form).
const authMiddleware = auth as unknown as NextMiddleware;

// Auth.js answers every request it sees with the session JWT re-issued from the cookie that request
// carried (the JWT strategy ignores `session.updateAge`). An answer to a request that left before a
// tenant switch (a link prefetch, another tab) then lands after the switch's cookie and puts the old
// tenant back. So this middleware never writes the session cookie: only sign-in, the tenant switch
// (and leaving or joining a workspace) and sign-out do, in answer to the user's own action. The
// price: a session no longer slides; it ends 7 days after the last of those (lib/auth/config.ts).
// Auth.js's own GET /api/auth/session (not matched here) still re-issues it: the app never calls it,
// and a client-side useSession() would bring the race back.
const sessionCookie = /^(?:__Secure-)?authjs\.session-token(?:\.\d+)?=/;

export default async function middleware(request: NextRequest, event: NextFetchEvent) {
  const response = await authMiddleware(request, event);
  if (!response) return response;
  const kept = response.headers.getSetCookie().filter((cookie) => !sessionCookie.test(cookie));
  response.headers.delete("set-cookie");
  for (const cookie of kept) response.headers.append("set-cookie", cookie);
  return response;
}

// The API routes (/api/v1, /api/agent, /api/mcp) authenticate each request themselves (API key or
// session) and answer 401 JSON, never a redirect to the sign-in page. /bench-floor/ exists only in a
// benchmark build (next.config.ts): its floor pages are measured without the middleware (and one of
// them again under /bench-floor-middleware/, with it).
export const config = {
  matcher: [
    "/((?!api/auth|api/v1/|api/agent/|api/mcp|bench-floor/|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)",
  ],
};
