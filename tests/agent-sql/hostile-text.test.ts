import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { agentSqlAuditsSettled } from "@/db/agent-sql";
import { closePools } from "@/db/client";
import { withTenant } from "@/db/tenant";
import { maxAgentSqlLength } from "@/features/agent-sql/guard";
import { runAgentSql, type AgentSqlOutcome } from "@/features/agent-sql/run";
import { createApiKey } from "@/features/api-keys/store";
import { auditableText, codePointLength, truncateText } from "@/lib/text";
import { adminSql, ownerSql, tenantIdsBySlug } from "../support/db";

/**
 * Hostile agent SQL text, generated: whatever the text (lone surrogates, NUL, megabytes, thousands of
 * nested terms), the guarded path answers (a refusal, never a thrown error, which a route turns into a
 * 5xx) and leaves exactly one audit row per call, holding a storable copy of the text.
 */
let acme = "";

before(async () => {
  acme = (await tenantIdsBySlug())["acme-health"]!;
});
after(async () => {
  await closePools();
  await ownerSql().end();
});

async function newKey(name: string): Promise<string> {
  return (await withTenant(acme, (tx) => createApiKey(tx, { tenantId: acme, name, createdBy: null }))).id;
}

async function auditRows(keyId: string) {
  await agentSqlAuditsSettled();
  return adminSql()<{ metadata: Record<string, unknown> }[]>`
    select metadata from audit_events
    where tenant_id = ${acme} and action = 'agent_sql.run' and target = ${`api_key:${keyId}`} order by id`;
}

const run = (keyId: string, sql: string): Promise<AgentSqlOutcome> =>
  runAgentSql({ tenantId: acme, actor: { kind: "api_key", keyId }, sql, via: "mcp" });

const refusedWith = (outcome: AgentSqlOutcome, code: string) => {
  assert.equal(outcome.ok, false, JSON.stringify(outcome).slice(0, 300));
  if (!outcome.ok) assert.equal(outcome.error.code, code, outcome.error.message);
};

describe("text PostgreSQL cannot store, and text too large or too deep, is refused and audited", () => {
  it("a lone surrogate: unstorable_text, audited with U+FFFD in its place", async () => {
    const keyId = await newKey("lone surrogate");
    refusedWith(await run(keyId, "select '\uD800' as broken"), "unstorable_text");
    refusedWith(await run(keyId, "select 1 -- \uDC00"), "unstorable_text");
    const rows = await auditRows(keyId);
    assert.equal(rows.length, 2);
    assert.equal(rows[0]!.metadata.sql, "select '\uFFFD' as broken");
    assert.equal(rows[0]!.metadata.sqlAltered, true);
    assert.equal(rows[0]!.metadata.verdict, "refused_by_parser");
  });

  it("a control character: control_character (the parser's JSON answer cannot carry it), audited", async () => {
    const keyId = await newKey("control character");
    refusedWith(await run(keyId, "\u0001;"), "control_character");
    refusedWith(await run(keyId, "select '\u001b[31m'"), "control_character");
    assert.equal((await auditRows(keyId)).length, 2);
  });

  it("a NUL: unstorable_text, audited", async () => {
    const keyId = await newKey("nul");
    refusedWith(await run(keyId, "select 1\u0000; drop table agents"), "unstorable_text");
    const [row] = await auditRows(keyId);
    assert.equal(row!.metadata.sql, "select 1\uFFFD; drop table agents");
  });

  it("gigantic text: too_long, audited with its first 4,000 characters and its length", async () => {
    const keyId = await newKey("gigantic");
    const sql = `select '${"x".repeat(900_000)}'`;
    refusedWith(await run(keyId, sql), "too_long");
    const [row] = await auditRows(keyId);
    assert.equal((row!.metadata.sql as string).length, 4000);
    assert.equal(row!.metadata.sqlTruncated, true);
    assert.equal(row!.metadata.sqlLength, sql.length);
  });

  it("thousands of +1 terms, brackets or NOTs: too_deep before the parser, audited", async () => {
    const keyId = await newKey("deep");
    const deep = [
      `select 1${"+1".repeat(3000)}`,
      `select ${"(".repeat(5000)}1${")".repeat(5000)}`,
      `select ${"not ".repeat(4000)}true`,
      `select 1${"::int".repeat(3000)}`,
    ];
    for (const sql of deep) refusedWith(await run(keyId, sql), "too_deep");
    assert.equal((await auditRows(keyId)).length, deep.length);
  });

  it("nesting an analyst writes (a few levels of brackets, CASE, subqueries) still passes", async () => {
    const keyId = await newKey("ordinary nesting");
    const outcome = await run(
      keyId,
      `select case when (select count(*) from (select * from conversations where (duration_seconds + 1) * 2 > 10) c) > 0
              then coalesce(nullif(trim(both from 'a' || 'b'), ''), 'x') else 'y' end`,
    );
    assert.equal(outcome.ok, true, JSON.stringify(outcome));
  });

  it("the audit copy is cut at 4,000 characters without splitting a surrogate pair", async () => {
    const keyId = await newKey("pair at the cut");
    // 3,999 units, then an emoji (a surrogate pair) across the 4,000th and 4,001st: the 4,000th character.
    const sql = `select '${"y".repeat(3991)}😀${"z".repeat(100)}'`;
    assert.equal(sql.charCodeAt(3999), 0xd83d, "the pair straddles the cut");
    const outcome = await run(keyId, sql);
    assert.equal(outcome.ok, true, JSON.stringify(outcome).slice(0, 300));
    const [row] = await auditRows(keyId);
    assert.equal((row!.metadata.sql as string).length, 4001);
    assert.ok((row!.metadata.sql as string).endsWith("😀"), "the pair kept whole");
    assert.equal(row!.metadata.sqlTruncated, true);
    assert.equal(row!.metadata.verdict, "ok");
  });
});

describe("truncateText and auditableText", () => {
  it("never end in half a surrogate pair, never exceed the limit, keep storable text unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.nat(220), (text, max) => {
        const { text: cut, truncated } = truncateText(text, { maxChars: max });
        assert.ok(codePointLength(cut) <= max && text.startsWith(cut));
        assert.equal(truncated, cut.length < text.length);
        if (text.isWellFormed()) assert.ok(cut.isWellFormed(), "a well-formed text stays well-formed when cut");
        const audited = auditableText(text, max);
        assert.ok(audited.text.isWellFormed() && !audited.text.includes("\u0000"));
      }),
      { numRuns: 2000 },
    );
  });
});

/** Pieces that hostile SQL is made of: surrogates, NUL, deep chains, quotes, comments, long runs. */
const hostilePiece = fc.oneof(
  fc.constantFrom("\uD800", "\uDFFF", "\u0000", "😀", "'", '"', "--", "/*", "*/", ";", "$$", "\\", "\n"),
  fc.constantFrom("select 1", "select * from conversations", " union select 1", " from agents", " where ", "(", ")"),
  fc.nat(6000).map((n) => "+1".repeat(n)),
  fc.nat(3000).map((n) => "(".repeat(n)),
  fc.nat(30_000).map((n) => "x".repeat(n)),
  fc.string({ unit: "binary", maxLength: 40 }),
);

describe("generated hostile text through the guarded path", () => {
  it("answers every call (no thrown error) and audits every call, with storable text", async () => {
    const keyId = await newKey("generated hostile text");
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostilePiece, { minLength: 1, maxLength: 6 }), async (pieces) => {
        const sql = pieces.join("");
        calls++;
        const outcome = await run(keyId, sql);
        if (!outcome.ok) assert.match(outcome.error.message, /^(Refused|Stopped|PostgreSQL refused)/);
        if (sql.length > maxAgentSqlLength) refusedWith(outcome, "too_long");
      }),
      { numRuns: 120 },
    );
    const rows = await auditRows(keyId);
    assert.equal(rows.length, calls, "one audit row per call");
    for (const { metadata } of rows) {
      assert.notEqual(metadata.verdict, "pending", "every outcome recorded");
      assert.ok(codePointLength(metadata.sql as string) <= 4000);
    }
  });
});
