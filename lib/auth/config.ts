import type { NextAuthConfig } from "next-auth";

// Sign-in (with its magic-link page), sign-up and invitation acceptance: nothing else is reachable
// without a session (middleware.ts).
export const publicPaths = ["/login", "/signup", "/invite"];

/**
 * The base of the Auth.js configuration; lib/auth/index.ts adds the providers, the callbacks that
 * need the database and the session lifetime from the environment. The cookie is written only by
 * sign-in, the tenant switch (and leaving or joining a workspace) and sign-out, in answer to the user's
 * own action: its JWT lives as long as the absolute session lifetime, and the session row in the
 * database (app_private.sessions) decides whether it is still alive and slides with activity.
 */
export const authConfig = {
  trustHost: true,
  pages: { signIn: "/login" },
  session: { strategy: "jwt" },
  providers: [],
  callbacks: {
    jwt({ token, user }) {
      if (user?.id) {
        token.userId = user.id;
        token.activeTenantId = user.activeTenantId;
        token.sessionId = user.sessionId;
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
