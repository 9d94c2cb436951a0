import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { closePools, rawPool } from "@/db/client";
import { resolveApiKeyHash } from "@/db/api-keys";
import { withTenant } from "@/db/tenant";
import { bearerToken, generateApiKey, hashApiKey, isWellFormedApiKey } from "@/lib/auth/api-key-format";
import { TokenBuckets } from "@/lib/rate-limit";
import { createApiKey, listApiKeys, revokeApiKey, type CreatedApiKey } from "@/features/api-keys/store";
import { adminSql, appSql, ownerSql, rejectsWith, sql, tenantIdsBySlug } from "../support/db";

let acme = "";
let globex = "";
let acmeKey: CreatedApiKey;
let globexKey: CreatedApiKey;

before(async () => {
  const ids = await tenantIdsBySlug();
  acme = ids["acme-health"]!;
  globex = ids["globex-realty"]!;
  acmeKey = await withTenant(acme, (tx) =>
    createApiKey(tx, { tenantId: acme, name: "acme suite key", createdBy: null }),
  );
  globexKey = await withTenant(globex, (tx) =>
    createApiKey(tx, { tenantId: globex, name: "globex suite key", createdBy: null }),
  );
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

describe("key format", () => {
  it("rls_live_ + 43 base64url characters, stored as SHA-256 hex, 16 characters kept for display", () => {
    const k = generateApiKey();
    assert.match(k.key, /^rls_live_[A-Za-z0-9_-]{43}$/);
    assert.equal(k.secretHash, hashApiKey(k.key));
    assert.match(k.secretHash, /^[0-9a-f]{64}$/);
    assert.equal(k.prefix, k.key.slice(0, 16));
    assert.notEqual(generateApiKey().key, k.key);
  });

  it("tells well-formed keys and bearer headers from the rest", () => {
    const { key } = generateApiKey();
    assert.equal(isWellFormedApiKey(key), true);
    for (const bad of ["", "rls_live_", `${key}x`, key.replace("rls_live_", "rls_test_"), `${key.slice(0, -1)}!`])
      assert.equal(isWellFormedApiKey(bad), false, bad);
    assert.equal(bearerToken(`Bearer ${key}`), key);
    assert.equal(bearerToken(`bearer  ${key} `), key);
    assert.equal(bearerToken(`Basic ${key}`), null);
    assert.equal(bearerToken(null), null);
  });
});

describe("the api_keys table", () => {
  it("keeps only the hash: the stored row has no secret, and app_user cannot even read the hash", async () => {
    const [row] = await ownerSql()<
      { prefix: string; secret_hash: string }[]
    >`select prefix, secret_hash from api_keys where id = ${acmeKey.id}`;
    assert.equal(row!.secret_hash, hashApiKey(acmeKey.key));
    assert.equal(row!.prefix, acmeKey.key.slice(0, 16));
    await rejectsWith(
      withTenant(acme, (tx) => tx.execute(sql`select secret_hash from api_keys`)),
      /permission denied/,
    );
  });

  it("each tenant lists only its own keys; the BYPASSRLS control sees both", async () => {
    const acmeList = await withTenant(acme, (tx) => listApiKeys(tx, acme));
    assert.ok(acmeList.some((k) => k.id === acmeKey.id));
    assert.ok(!acmeList.some((k) => k.id === globexKey.id));
    const [control] = await adminSql()<
      { n: number }[]
    >`select count(*)::int as n from api_keys where id in (${acmeKey.id}, ${globexKey.id})`;
    assert.equal(control!.n, 2);
    const unfiltered = await withTenant(acme, (tx) =>
      tx.execute<{ foreign: number }>(
        sql`select count(*) filter (where tenant_id <> ${acme})::int as foreign from api_keys`,
      ),
    );
    assert.equal(unfiltered[0]!.foreign, 0, "RLS, not the WHERE clause, hides globex's keys");
  });

  it("a tenant cannot revoke another tenant's key", async () => {
    assert.equal(
      await withTenant(acme, (tx) => revokeApiKey(tx, { tenantId: acme, id: globexKey.id, revokedBy: null })),
      false,
    );
    assert.equal((await resolveApiKeyHash(hashApiKey(globexKey.key)))?.tenantId, globex, "globex's key still works");
  });
});

describe("app.resolve_api_key, the one way from a key to its tenant", () => {
  it("resolves a live key to its tenant and id, an unknown one to nothing", async () => {
    const resolved = await resolveApiKeyHash(hashApiKey(acmeKey.key));
    assert.equal(resolved?.tenantId, acme);
    assert.equal(resolved?.keyId, acmeKey.id);
    assert.equal(await resolveApiKeyHash(hashApiKey(generateApiKey().key)), null);
  });

  it("stops resolving a key once revoked, and audits creation and revocation", async () => {
    const key = await withTenant(acme, (tx) =>
      createApiKey(tx, { tenantId: acme, name: "to revoke", createdBy: null }),
    );
    assert.ok(await resolveApiKeyHash(hashApiKey(key.key)));
    assert.equal(
      await withTenant(acme, (tx) => revokeApiKey(tx, { tenantId: acme, id: key.id, revokedBy: null })),
      true,
    );
    assert.equal(await resolveApiKeyHash(hashApiKey(key.key)), null);
    assert.equal(
      await withTenant(acme, (tx) => revokeApiKey(tx, { tenantId: acme, id: key.id, revokedBy: null })),
      false,
      "already revoked",
    );
    const events = await adminSql()<
      { action: string }[]
    >`select action from audit_events where tenant_id = ${acme} and target = ${`api_key:${key.id}`} order by id`;
    assert.deepEqual(
      events.map((e) => e.action),
      ["api_key.created", "api_key.revoked"],
    );
  });

  it("is a SECURITY DEFINER function with a pinned search_path, executable by app_user only", async () => {
    const [fn] = await ownerSql()<{ definer: boolean; config: string[] }[]>`
      select prosecdef as definer, proconfig as config from pg_proc where oid = 'app.resolve_api_key(text)'::regprocedure`;
    assert.equal(fn!.definer, true);
    assert.deepEqual(fn!.config, ["search_path=pg_catalog, pg_temp"]);
    const hash = hashApiKey(acmeKey.key);
    const [viaApp] = await appSql()<{ tenant_id: string }[]>`select tenant_id from app.resolve_api_key(${hash})`;
    assert.equal(viaApp!.tenant_id, acme, "control: app_user resolves the key");
    await rejectsWith(rawPool("agent_reader")`select * from app.resolve_api_key(${hash})`, /permission denied/);
    await rejectsWith(adminSql()`select * from app.resolve_api_key(${hash})`, /permission denied/);
    const [publicCan] = await ownerSql()<{ can: boolean }[]>`
      select bool_or(acl.privilege_type = 'EXECUTE' and acl.grantee = 0) as can
      from pg_proc p, aclexplode(p.proacl) acl where p.oid = 'app.resolve_api_key(text)'::regprocedure`;
    assert.notEqual(publicCan!.can, true, "PUBLIC has no EXECUTE");
  });

  it("agent_reader has no privilege at all on api_keys", async () => {
    await rejectsWith(rawPool("agent_reader")`select count(*) from api_keys`, /permission denied/);
  });
});

describe("rate limit (token bucket per key)", () => {
  it("allows a burst of perMinute, then 429s with a retry time, then refills", () => {
    const buckets = new TokenBuckets(60);
    const t0 = 1_000_000;
    for (let i = 0; i < 60; i++) assert.equal(buckets.take("k", 1, t0).allowed, true, `request ${i}`);
    const refused = buckets.take("k", 1, t0);
    assert.equal(refused.allowed, false);
    assert.equal(refused.retryAfterSeconds, 1);
    assert.equal(buckets.take("other-key", 1, t0).allowed, true, "buckets are per key");
    assert.equal(buckets.take("k", 1, t0 + 1000).allowed, true, "one token back after a second at 60/min");
    assert.equal(buckets.take("k", 1, t0 + 1000).allowed, false);
  });
});
