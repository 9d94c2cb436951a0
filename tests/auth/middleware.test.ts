import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { NextRequest, type NextFetchEvent } from "next/server";
import middleware from "@/middleware";

// Every page, prefetch and RSC request goes through middleware.ts. Auth.js answers each with the
// session JWT re-issued from the cookie the request carried; an answer to a request sent before a
// tenant switch then put the old tenant back. The middleware must never write the session cookie.
const cookieName = "authjs.session-token";
const origin = "http://127.0.0.1:3000";
const event = { waitUntil: () => undefined } as unknown as NextFetchEvent;

async function sessionToken(): Promise<string> {
  const secret = process.env.AUTH_SECRET;
  assert.ok(secret, "AUTH_SECRET is set by npm test");
  return encode({ token: { userId: randomUUID(), activeTenantId: randomUUID() }, secret, salt: cookieName });
}

async function answer(path: string, headers: Record<string, string> = {}) {
  // Next's server sets x-forwarded-proto; without it Auth.js assumes https and the __Secure- cookie name.
  const request = new NextRequest(`${origin}${path}`, { headers: { "x-forwarded-proto": "http", ...headers } });
  const response = await middleware(request, event);
  assert.ok(response instanceof Response, "the middleware answers");
  return response;
}

const sessionCookies = (response: Response) => response.headers.getSetCookie().filter((c) => c.startsWith(cookieName));

describe("middleware.ts never re-issues the session cookie", () => {
  for (const [kind, headers] of [
    ["page", {}],
    ["link prefetch (RSC)", { RSC: "1", "Next-Router-Prefetch": "1" }],
    ["client navigation (RSC)", { RSC: "1" }],
  ] as const) {
    it(`a signed-in ${kind} request passes without a session cookie in the answer`, async () => {
      const response = await answer("/conversations", { ...headers, cookie: `${cookieName}=${await sessionToken()}` });
      assert.equal(response.headers.get("location"), null, "signed in: not sent to /login");
      assert.deepEqual(sessionCookies(response), []);
    });
  }

  it("a signed-out page request still goes to /login (the control that it ran)", async () => {
    const response = await answer("/conversations");
    assert.match(response.headers.get("location") ?? "", /\/login\?callbackUrl=/);
  });

  it("a tampered session cookie is not a session, and the answer does not write one either", async () => {
    const response = await answer("/conversations", {
      cookie: `${cookieName}=${(await sessionToken()).slice(0, -4)}AAAA`,
    });
    assert.match(response.headers.get("location") ?? "", /\/login\?callbackUrl=/);
    assert.deepEqual(sessionCookies(response), []);
  });
});
