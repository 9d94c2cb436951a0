import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { NextRequest } from "next/server";
import middleware from "@/middleware";

// middleware.ts gives every page answer a Content-Security-Policy with a nonce of its own, and hands
// the same policy and nonce on to the render (Next puts the nonce on its scripts, the layout on the
// theme script). The browser test (e2e/security-headers.spec.ts) checks the rendered pages.

async function answer(path: string) {
  const request = new NextRequest(`http://127.0.0.1:3000${path}`, { headers: { "x-forwarded-proto": "http" } });
  const response = middleware(request);
  assert.ok(response instanceof Response);
  return response;
}

const nonceOf = (policy: string | null) => /'nonce-([^']+)'/.exec(policy ?? "")?.[1];

describe("middleware.ts: the page policy", () => {
  it("a page that renders gets a nonce policy, passed on to the render with the nonce", async () => {
    const response = await answer("/login");
    const policy = response.headers.get("content-security-policy");
    const nonce = nonceOf(policy);
    assert.ok(nonce, `a nonce in ${policy}`);
    assert.doesNotMatch(policy!, /unsafe-inline|unsafe-eval/);
    assert.match(policy!, /frame-ancestors 'none'/);
    assert.equal(response.headers.get("x-middleware-request-content-security-policy"), policy);
    assert.equal(response.headers.get("x-middleware-request-x-nonce"), nonce);
    assert.match(response.headers.get("x-middleware-override-headers") ?? "", /content-security-policy/);
  });

  it("every answer has its own nonce", async () => {
    const nonces = new Set<string | undefined>();
    for (let i = 0; i < 5; i++) nonces.add(nonceOf((await answer("/login")).headers.get("content-security-policy")));
    assert.equal(nonces.size, 5);
  });

  it("a redirect to /login carries the policy too, and passes nothing on (nothing renders)", async () => {
    const response = await answer("/conversations");
    assert.match(response.headers.get("location") ?? "", /\/login/);
    assert.ok(nonceOf(response.headers.get("content-security-policy")));
    assert.equal(response.headers.get("x-middleware-request-x-nonce"), null);
  });
});
