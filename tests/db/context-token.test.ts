import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { contextToken } from "@/db/context-token";

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
