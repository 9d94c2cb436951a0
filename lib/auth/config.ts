import type { NextAuthConfig } from "next-auth";

/**
 * The part of the Auth.js configuration that middleware can load: no database, no providers that
 * need one. auth.ts adds the credentials provider.
 */
// Sign-in (with its magic-link page), sign-up and invitation acceptance: nothing else is reachable
// without a session.
export const publicPaths = ["/login", "/signup", "/invite"];

export const authConfig = {
  trustHost: true,
  pages: { signIn: "/login" },
  // 7 days from sign-in or the last tenant switch: middleware.ts does not re-issue the cookie on
  // every request (that let an answer sent before a switch undo it), so a session does not slide.
  session: { strategy: "jwt", maxAge: 60 * 60 * 24 * 7 },
  providers: [],
  callbacks: {
    authorized({ auth, request }) {
      const isPublic = publicPaths.some(
        (p) => request.nextUrl.pathname === p || request.nextUrl.pathname.startsWith(`${p}/`),
      );
      return isPublic || Boolean(auth?.user);
    },
    jwt({ token, user }) {
      if (user?.id) {
        token.userId = user.id;
        token.activeTenantId = user.activeTenantId;
      }
      return token;
    },
    session({ session, token }) {
      if (typeof token.userId === "string") session.user.id = token.userId;
      session.activeTenantId = typeof token.activeTenantId === "string" ? token.activeTenantId : undefined;
      return session;
    },
  },
} satisfies NextAuthConfig;
