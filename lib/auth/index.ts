import NextAuth, { type NextAuthConfig } from "next-auth";
import type { Provider } from "next-auth/providers";
import Credentials from "next-auth/providers/credentials";
import GitHub from "next-auth/providers/github";
import Google from "next-auth/providers/google";
import { z } from "zod";
import { authConfig } from "./config";
import { authLogger } from "./log";
import { consumeMagicLink, endSession, externalSignIn, signInWithPassword, isUuid, withUser } from "@/db";
import { env } from "@/lib/env";
import { isStorableText } from "@/lib/text";
import { emailField, linkToken, textField } from "@/lib/validation";
import { magicLinkMac } from "@/lib/auth/magic-links";
import { verifiedProviderEmail } from "@/lib/auth/oauth";
import { clientIp } from "@/lib/request-info";
import { openSession, SignInThrottled } from "@/lib/auth/sign-in";
import { userTenants } from "@/lib/auth/memberships";
import { sessionStillAlive } from "@/lib/auth/session";

const credentials = z.object({
  email: emailField,
  password: textField({ min: 1, max: 200 }),
});

const password = Credentials({
  id: "credentials",
  credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
  async authorize(input, request) {
    const parsed = credentials.safeParse(input);
    if (!parsed.success) return null;
    const ip = clientIp(request.headers);
    const result = await signInWithPassword(parsed.data.email, parsed.data.password, ip);
    if (result && "retryAfterSeconds" in result) throw new SignInThrottled(result.retryAfterSeconds);
    if (!result) return null;
    return { id: result.userId, email: parsed.data.email, ...(await openSession(result.userId, "password", ip)) };
  },
});

const magicLink = Credentials({
  id: "magic-link",
  credentials: { token: { type: "text" } },
  async authorize(input, request) {
    const token = typeof input.token === "string" ? input.token : "";
    if (!linkToken.test(token)) return null;
    const userId = await consumeMagicLink(magicLinkMac(token));
    if (!userId) return null;
    return { id: userId, ...(await openSession(userId, "magic-link", clientIp(request.headers))) };
  },
});

/** Each provider besides email + password is on only when its environment variables are set. */
function providers(): Provider[] {
  const e = env();
  const list: Provider[] = [password];
  if (e.AUTH_MAGIC_LINKS) list.push(magicLink);
  if (e.AUTH_GITHUB_ID && e.AUTH_GITHUB_SECRET)
    list.push(GitHub({ clientId: e.AUTH_GITHUB_ID, clientSecret: e.AUTH_GITHUB_SECRET }));
  if (e.AUTH_GOOGLE_ID && e.AUTH_GOOGLE_SECRET)
    list.push(Google({ clientId: e.AUTH_GOOGLE_ID, clientSecret: e.AUTH_GOOGLE_SECRET }));
  return list;
}

const config = (): NextAuthConfig => ({
  ...authConfig,
  // The cookie lives as long as the longest a session may; the session row decides sooner (idle timeout).
  session: { strategy: "jwt", maxAge: env().SESSION_MAX_AGE_SECONDS },
  logger: authLogger,
  providers: providers(),
  events: {
    // Sign-out ends the session row, so a copy of the cookie taken before is refused everywhere.
    async signOut(message) {
      const token = "token" in message ? message.token : null;
      const { userId, sessionId } = token ?? {};
      if (isUuid(userId) && isUuid(sessionId)) await withUser(userId, (tx) => endSession(tx, sessionId));
    },
  },
  callbacks: {
    ...authConfig.callbacks,
    // OAuth: only an address the provider says is verified may sign in (it links to our account by email).
    async signIn({ account, profile }) {
      if (account?.type !== "oauth" && account?.type !== "oidc") return true;
      return (await verifiedProviderEmail(account, profile)) !== null;
    },
    async jwt({ token, user, account, profile, trigger, session }) {
      if (account && (account.type === "oauth" || account.type === "oidc")) {
        const email = await verifiedProviderEmail(account, profile);
        if (!email) throw new Error("OAuth sign-in without a verified email");
        // A provider's display name is not checked by anyone: a name PostgreSQL cannot store is dropped.
        const name = typeof profile?.name === "string" && isStorableText(profile.name) ? profile.name : null;
        const userId = await externalSignIn(email, name);
        const opened = await openSession(userId, account.provider, null);
        return { ...token, userId, email, activeTenantId: opened.activeTenantId, sessionId: opened.sessionId };
      }
      if (user?.id) {
        token.userId = user.id;
        token.activeTenantId = user.activeTenantId;
        token.sessionId = user.sessionId;
      }
      // Anything but a sign-in re-issues the cookie (the tenant switch, Auth.js's /api/auth/session): not
      // for a session that has ended. Returning null clears the cookie instead.
      if (!user && !(await sessionStillAlive(token.userId, token.sessionId))) return null;
      // Switching tenant (unstable_update from a server action, or a client's POST to /api/auth/session,
      // which is untrusted input): accepted only for a tenant the user is a member of, read from the database.
      if (trigger === "update" && token.userId) {
        const requested = (session as { activeTenantId?: unknown } | undefined)?.activeTenantId;
        if (isUuid(requested)) {
          const tenants = await userTenants(token.userId);
          if (tenants.some((t) => t.id === requested.toLowerCase())) token.activeTenantId = requested.toLowerCase();
        }
      }
      return token;
    },
  },
});

export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(config);
