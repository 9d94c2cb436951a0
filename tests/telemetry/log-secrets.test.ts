import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mintContextToken } from "@/db/context-token";
import { createLogger, scrubbingDestination } from "@/lib/logger";
import { findSecrets, type KnownSecret } from "../support/log-secrets";

/**
 * The two nets against secrets in logs: lib/logger.ts (redacted fields, scrubbed shapes) and the scan
 * npm test runs on the app server's output (tests/support/log-secrets.ts). Each is shown catching a
 * planted secret, and the logger's output is shown passing the scan.
 */
const tenantId = "4f7a3c1e-2b9d-4e8f-a1c3-5d6e7f8a9b0c";
const apiKey = `rls_live_${randomBytes(32).toString("base64url")}`;
const contextToken = mintContextToken({ tenantId }, randomBytes(32).toString("hex"), 60);
const sessionJwe = `eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2Q0JDLUhTNTEyIn0..${randomBytes(16).toString("base64url")}.${randomBytes(48).toString("base64url")}.${randomBytes(32).toString("base64url")}`;
const authSecret = randomBytes(32).toString("base64url");
const known: KnownSecret[] = [
  { what: "AUTH_SECRET", value: authSecret },
  { what: "a demo password", value: "demo-password" },
];

describe("the log scan", () => {
  for (const [what, line] of [
    ["AUTH_SECRET", `{"level":"error","msg":"boom","config":"${authSecret}"}`],
    ["a demo password", `signing in alice@acme.test with demo-password`],
    ["an API key", `{"msg":"request","authorization":"Bearer ${apiKey}"}`],
    ["a signed tenant context token", `error: bad context ${contextToken}`],
    ["a session token (JWE)", `cookie: authjs.session-token=${sessionJwe}`],
  ] as const) {
    it(`finds ${what} planted in a log line`, () => {
      const log = ["ready on 127.0.0.1", line, "GET /login 200"].join("\n");
      assert.deepEqual(findSecrets(log, known), [{ line: 2, what }]);
    });
  }

  it("finds nothing in a clean log (the control: it does not flag everything)", () => {
    const log = [`{"level":"info","requestId":"r1","tenantId":"${tenantId}","msg":"ok"}`, "GET /login 200"].join("\n");
    assert.deepEqual(findSecrets(log, known), []);
  });
});

describe("lib/logger.ts", () => {
  function capture() {
    const lines: string[] = [];
    const log = createLogger(
      "info",
      scrubbingDestination((line) => lines.push(line)),
    );
    return { log, lines };
  }

  it("writes one JSON object per line with the request id and tenant id", () => {
    const { log, lines } = capture();
    log.child({ requestId: "req-1", tenantId }).info({ route: "/api/v1/conversations" }, "answered");
    const entry = JSON.parse(lines[0]!) as Record<string, unknown>;
    assert.equal(entry.level, "info");
    assert.equal(entry.requestId, "req-1");
    assert.equal(entry.tenantId, tenantId);
    assert.equal(entry.msg, "answered");
    assert.match(String(entry.time), /^\d{4}-\d\d-\d\dT/);
  });

  it("redacts secret fields and scrubs secret shapes anywhere in a line: the output passes the scan", () => {
    const { log, lines } = capture();
    log.error(
      {
        password: "demo-password",
        headers: { cookie: `authjs.session-token=${sessionJwe}`, authorization: `Bearer ${apiKey}` },
        err: new Error(`context ${contextToken} refused for key ${apiKey}`),
        detail: `session ${sessionJwe}`,
      },
      `failed with ${apiKey}`,
    );
    const output = lines.join("");
    assert.deepEqual(findSecrets(output, known), []);
    assert.match(output, /\[redacted\]/);
    assert.match(output, /rls_live_\[redacted\]/);
  });

  it("control: without the scrubbing destination the same line fails the scan", () => {
    const lines: string[] = [];
    const raw = createLogger("info", { write: (line: string) => lines.push(line) });
    raw.error({ detail: `session ${sessionJwe}` }, `failed with ${apiKey}`);
    assert.deepEqual(
      findSecrets(lines.join(""), known).map((f) => f.what),
      ["an API key", "a session token (JWE)"],
    );
  });
});
