import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import middleware from "@/middleware";
import { sessionCookie } from "@/lib/auth/session-cookie";

// Every page, prefetch and RSC request goes through middleware.ts. It only sends visitors without a
// session cookie to /login: no decryption (the page decrypts once and checks the session row and the
// membership in the database), and it never writes the session cookie (an answer to a request sent
// before a tenant switch once put the old tenant back that way).
const cookieName = "authjs.session-token";
const origin = "http://127.0.0.1:3000";

async function sessionToken(): Promise<string> {
  const secret = process.env.AUTH_SECRET;
  assert.ok(secret, "AUTH_SECRET is set by npm test");
  const claims = { userId: randomUUID(), activeTenantId: randomUUID(), sessionId: randomUUID() };
  return encode({ token: claims, secret, salt: cookieName });
}

function answer(path: string, headers: Record<string, string> = {}) {
  const response = middleware(new NextRequest(`${origin}${path}`, { headers }));
  assert.ok(response instanceof Response, "the middleware answers");
  return response;
}

const setCookies = (response: Response) => response.headers.getSetCookie();

describe("middleware.ts: a cookie check, no session round, no cookie written", () => {
  for (const [kind, headers] of [
    ["page", {}],
    ["link prefetch (RSC)", { RSC: "1", "Next-Router-Prefetch": "1" }],
    ["client navigation (RSC)", { RSC: "1" }],
  ] as const) {
    it(`a ${kind} request with a session cookie passes, and the answer sets no cookie`, async () => {
      const response = answer("/conversations", { ...headers, cookie: `${cookieName}=${await sessionToken()}` });
      assert.equal(response.headers.get("location"), null, "signed in: not sent to /login");
      assert.deepEqual(setCookies(response), []);
    });
  }

  it("a request without a session cookie goes to /login, with where it was going", () => {
    const response = answer("/conversations?status=completed");
    const location = new URL(response.headers.get("location") ?? "");
    assert.equal(location.pathname, "/login");
    const back = new URL(location.searchParams.get("callbackUrl") ?? "");
    assert.equal(`${back.pathname}${back.search}`, "/conversations?status=completed");
    assert.deepEqual(setCookies(response), []);
  });

  it("a cookie that is not shaped like a session token goes to /login too", () => {
    for (const value of ["", "x", "a.b.c", `${"a".repeat(20)}.b.c.d.e.f`]) {
      const response = answer("/conversations", { cookie: `${cookieName}=${value}` });
      assert.match(response.headers.get("location") ?? "", /\/login\?callbackUrl=/, JSON.stringify(value));
    }
  });

  it("public pages pass without a cookie", () => {
    for (const path of ["/login", "/signup", "/invite/abc", "/login/magic"]) {
      assert.equal(answer(path).headers.get("location"), null, path);
    }
  });

  it("finds a chunked session cookie in order, and prefers the __Secure- name", () => {
    const chunks = [
      { name: `${cookieName}.1`, value: "world" },
      { name: `${cookieName}.0`, value: "hello " },
    ];
    assert.deepEqual(sessionCookie(chunks), { salt: cookieName, token: "hello world" });
    assert.deepEqual(
      sessionCookie([
        { name: cookieName, value: "plain" },
        { name: `__Secure-${cookieName}`, value: "secure" },
      ]),
      { salt: `__Secure-${cookieName}`, token: "secure" },
    );
  });
});
