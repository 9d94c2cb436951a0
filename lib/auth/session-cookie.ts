/**
 * The Auth.js session cookie, as the middleware and the session reader find it. It holds an encrypted
 * JWT (JWE compact form: five base64url parts); a long one is split into `<name>.0`, `<name>.1`, ….
 * No crypto and no database here: the middleware only needs to know whether to send a visitor to
 * /login, and every page decrypts the cookie and checks the session row itself (lib/auth/session.ts).
 */
export const sessionCookieNames = ["__Secure-authjs.session-token", "authjs.session-token"] as const;

interface CookieLike {
  name: string;
  value: string;
}

/** The session token and the cookie name it came under (Auth.js derives its key with the name as salt). */
export function sessionCookie(cookies: readonly CookieLike[]): { salt: string; token: string } | null {
  for (const salt of sessionCookieNames) {
    const whole = cookies.find((c) => c.name === salt);
    if (whole?.value) return { salt, token: whole.value };
    const chunks = cookies
      .map((c) => ({ index: c.name.startsWith(`${salt}.`) ? Number(c.name.slice(salt.length + 1)) : NaN, c }))
      .filter((x) => Number.isInteger(x.index) && x.index >= 0)
      .sort((a, b) => a.index - b.index);
    if (chunks.length > 0) return { salt, token: chunks.map((x) => x.c.value).join("") };
  }
  return null;
}

const jweCompact = /^[\w-]+\.[\w-]*\.[\w-]+\.[\w-]+\.[\w-]+$/;

/** A cookie shaped like a session token: enough for the middleware, never enough for a page. */
export function hasSessionCookie(cookies: readonly CookieLike[]): boolean {
  const found = sessionCookie(cookies);
  return found !== null && found.token.length < 16_384 && jweCompact.test(found.token);
}
