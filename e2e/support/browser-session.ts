import type { BrowserContext, Cookie } from "@playwright/test";

/** Auth.js's session cookie over http (https prefixes it with __Secure-). */
export const sessionCookieName = "authjs.session-token";

/** The session cookie `context` holds; throws when it holds none. */
export async function sessionCookie(context: BrowserContext): Promise<Cookie> {
  const cookie = (await context.cookies()).find((c) => c.name === sessionCookieName);
  if (!cookie) throw new Error(`no ${sessionCookieName} cookie in this context`);
  return cookie;
}

export async function hasSessionCookie(context: BrowserContext): Promise<boolean> {
  return (await context.cookies()).some((c) => c.name === sessionCookieName);
}

/**
 * Drops Next's link prefetches in `context`, so that the requests a test sees are the ones it makes.
 * (Answers no longer carry the session cookie, middleware.ts; before that, a prefetch answered late
 * overwrote a cookie the test had just edited or cleared.)
 */
export async function dropPrefetches(context: BrowserContext) {
  await context.route("**/*", (route) =>
    route.request().headers()["next-router-prefetch"] ? route.abort() : route.continue(),
  );
}
