import { NextResponse, type NextRequest } from "next/server";
import { publicPaths } from "@/lib/auth/config";
import { hasSessionCookie } from "@/lib/auth/session-cookie";
import { securityHeaders } from "@/lib/page-security-headers";

// Visitors without a session cookie go to /login. That is all this does: no decryption, no database,
// and it never writes the session cookie. Every page and action decrypts the cookie once and checks the
// session row and the membership in the database (lib/auth/session.ts), so a tampered, expired or
// revoked cookie gets past here only to be refused there. (Re-issuing the cookie here once let an
// answer to a request sent before a tenant switch land after it and put the old tenant back.)
export default function middleware(request: NextRequest) {
  const path = request.nextUrl.pathname;
  const isPublic = publicPaths.some((p) => path === p || path.startsWith(`${p}/`));
  // Pages get a Content-Security-Policy with a nonce of their own (the other headers: next.config.ts).
  if (isPublic || hasSessionCookie(request.cookies.getAll()))
    return securityHeaders(request).apply(NextResponse.next());
  const signIn = request.nextUrl.clone();
  signIn.pathname = "/login";
  signIn.search = "";
  signIn.searchParams.set("callbackUrl", request.nextUrl.href);
  return securityHeaders(request).apply(NextResponse.redirect(signIn));
}

// The health checks (/api/health/live, /api/health/ready) answer anyone, without a session. The API
// routes (/api/v1, /api/agent, /api/mcp) authenticate each request themselves (API key or
// session) and answer 401 JSON, never a redirect to the sign-in page. /bench-floor/ exists only in a
// benchmark build (next.config.ts): its floor pages are measured without the middleware (and one of
// them again under /bench-floor-middleware/, with it).
export const config = {
  // In the server's own Node.js process: the default (edge) runs each request in a sandbox, which cost
  // a page 1.35 ms of server CPU under `next start` (docs/benchmark.md).
  runtime: "nodejs",
  matcher: [
    "/((?!api/auth|api/health/|api/v1/|api/agent/|api/mcp|bench-floor/|_next/static|_next/image|favicon.ico|.*\\.(?:svg|png|ico)$).*)",
  ],
};
