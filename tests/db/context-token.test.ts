import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { contextStatement } from "@/db/context";
import { contextToken, InvalidTenantIdError } from "@/db/context-token";

const tenantId = "8a7f0a8e-2f4c-4b7e-9d43-0d3f1d7c9b21";
const other = "0f8e2c7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b";
const secret = "s".repeat(43);
const expiryOf = (token: string) => Number(token.split(".")[3]);

describe("context tokens reused by withTenant", () => {
  it("the same claims get the same token while half its lifetime is left, then a new one", () => {
    const t0 = 1_800_000_000_000;
    const first = contextToken({ tenantId }, secret, 30, t0);
    assert.equal(contextToken({ tenantId }, secret, 30, t0 + 15_000), first, "15 s of 30 left: reused");
    const renewed = contextToken({ tenantId }, secret, 30, t0 + 15_001);
    assert.notEqual(renewed, first, "less than half left: minted again");
    assert.equal(expiryOf(renewed), expiryOf(first) + 15);
  });

  it("other claims or another secret never get a cached token", () => {
    const t0 = 1_800_000_100_000;
    const mine = contextToken({ tenantId }, secret, 30, t0);
    assert.notEqual(contextToken({ tenantId: other }, secret, 30, t0), mine);
    assert.notEqual(contextToken({ tenantId, userId: other }, secret, 30, t0), mine);
    assert.notEqual(contextToken({ tenantId }, "t".repeat(43), 30, t0), mine);
    assert.equal(contextToken({ tenantId }, secret, 30, t0), mine, "control: the same claims and secret reuse it");
  });
});

describe("contextStatement, the one statement that sets a transaction's context (every role)", () => {
  it("binds the token and every extra setting, name and value; the text is fixed fragments only", () => {
    const hostile = "0'; reset role; select '";
    const statement = contextStatement({ tenantId: tenantId.toUpperCase() }, { statement_timeout: hostile });
    assert.equal(statement.text, "select set_config('app.tenant_ctx', $1, true), set_config($2, $3, true)");
    const params = statement.params();
    assert.equal(params.length, 3);
    assert.match(params[0]!, new RegExp(`^v1\\.${tenantId}\\.\\.\\d+\\.[0-9a-f]{64}$`), "lower-cased claim");
    assert.deepEqual(params.slice(1), ["statement_timeout", hostile]);
    const agent = contextStatement({ tenantId }, { search_path: "public", statement_timeout: "2000" });
    assert.equal(
      agent.text,
      "select set_config('app.tenant_ctx', $1, true), set_config($2, $3, true), set_config($4, $5, true)",
    );
    assert.deepEqual(agent.params().slice(1), ["statement_timeout", "2000", "search_path", "public"]);
  });

  it("refuses a claim that is not a UUID before minting anything", () => {
    assert.throws(() => contextStatement({ tenantId: "acme' or 1=1 --" }), InvalidTenantIdError);
    assert.throws(() => contextStatement({ tenantId, userId: "" }), InvalidTenantIdError);
  });
});
