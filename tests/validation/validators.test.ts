import { after, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { closePools } from "@/db/client";
import { codePointLength, isStorableText, toStorableText, truncateText, utf8Length } from "@/lib/text";
import {
  dayField,
  decodeKeysetCursor,
  encodeKeysetCursor,
  instantField,
  jsonDepthExceeds,
  textField,
} from "@/lib/validation";
import { ownerSql } from "../support/db";
import {
  hostileCursor,
  hostileDay,
  hostileInstant,
  nestedJson,
  oddButStorableText,
  unstorableText,
} from "../support/hostile";

/**
 * The shared validators against the real PostgreSQL: whatever they accept, PostgreSQL stores as sent
 * (text) or reads as the same instant (dates, cursors); whatever PostgreSQL would refuse, they refuse.
 */
after(async () => {
  await closePools();
  await ownerSql().end();
});

// What PostgreSQL makes of a value does not depend on the role asking.
const sql = ownerSql();

/** PostgreSQL's answer for a value, or its error code. */
async function pg<T>(query: Promise<{ v: T }[]>): Promise<{ ok: true; v: T } | { ok: false; code: string }> {
  try {
    return { ok: true, v: (await query)[0]!.v };
  } catch (error) {
    return { ok: false, code: String((error as { code?: unknown }).code) };
  }
}

describe("text", { timeout: 120_000 }, () => {
  it("accepted text comes back from PostgreSQL unchanged; refused text is what PostgreSQL cannot store", async () => {
    const field = textField({ max: 10_000_000 });
    await fc.assert(
      // Not the megabyte strings of hostileText: PostgreSQL answers those with an error before it has read them.
      fc.asyncProperty(fc.oneof(unstorableText, oddButStorableText, fc.string({ unit: "binary" })), async (text) => {
        const accepted = field.safeParse(text).success;
        const roundTrip = await pg(sql<{ v: string }[]>`select ${text}::text as v`);
        if (accepted) assert.deepEqual(roundTrip, { ok: true, v: text });
        else assert.ok(!roundTrip.ok || roundTrip.v !== text, "refused text PostgreSQL would have kept exactly");
      }),
      { numRuns: 60 },
    );
  });

  it("NUL and lone surrogates are refused with one message", () => {
    fc.assert(
      fc.property(unstorableText, (text) => {
        const result = textField({ max: 100 }).safeParse(text);
        assert.equal(result.success, false);
        assert.match(result.error?.issues[0]?.message ?? "", /cannot be stored/);
      }),
    );
  });

  it("bounds characters as code points and bytes as UTF-8", () => {
    const field = textField({ min: 1, max: 3, maxBytes: 8 });
    assert.equal(field.safeParse("😀😀").success, true); // 2 characters, 8 bytes
    assert.equal(field.safeParse("😀😀a").success, false); // 9 bytes
    assert.equal(field.safeParse("abcd").success, false); // 4 characters
    assert.equal(field.safeParse("").success, false);
  });
});

describe("truncateText", () => {
  const segmenter = new Intl.Segmenter(undefined, { granularity: "grapheme" });
  it("never splits a character or a grapheme, and respects both bounds", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", maxLength: 200 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 0, max: 120 }),
        (text, maxChars, maxBytes) => {
          const { text: cut, truncated } = truncateText(text, { maxChars, maxBytes });
          assert.ok(text.startsWith(cut));
          assert.equal(truncated, cut !== text);
          assert.ok(codePointLength(cut) <= maxChars && utf8Length(cut) <= maxBytes);
          assert.ok(isStorableText(cut), "well-formed input stays well-formed");
          const boundaries = new Set([...segmenter.segment(text)].map((s) => s.index));
          assert.ok(cut.length === text.length || boundaries.has(cut.length), "cut on a grapheme boundary");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("toStorableText makes any text storable, and keeps storable text as it is", () => {
    fc.assert(
      fc.property(fc.oneof(unstorableText, fc.string({ unit: "binary" })), (text) => {
        const storable = toStorableText(text);
        assert.ok(isStorableText(storable));
        if (isStorableText(text)) assert.equal(storable, text);
      }),
    );
  });
});

describe("instants, days and cursors", { timeout: 120_000 }, () => {
  it("an accepted instant is the same instant in PostgreSQL; a refused one is out of range or not a date", async () => {
    await fc.assert(
      fc.asyncProperty(hostileInstant, async (text) => {
        if (!instantField.safeParse(text).success) return;
        const inPg = await pg(
          sql<{ v: string }[]>`select (extract(epoch from ${text}::timestamptz) * 1000)::text as v`,
        );
        assert.equal(inPg.ok && Number(inPg.v), Date.parse(text));
        const year = new Date(text).getUTCFullYear();
        assert.ok(year >= 1 && year <= 9999);
      }),
      { numRuns: 150 },
    );
  });

  it("an accepted day is a day PostgreSQL reads as the same day", async () => {
    await fc.assert(
      fc.asyncProperty(hostileDay, async (day) => {
        if (!dayField.safeParse(day).success) return;
        assert.deepEqual(await pg(sql<{ v: string }[]>`select ${day}::date::text as v`), { ok: true, v: day });
      }),
      { numRuns: 150 },
    );
    for (const impossible of ["2025-02-30", "0000-01-01", "2025-13-01", "2025-00-10"]) {
      assert.equal(dayField.safeParse(impossible).success, false, impossible);
    }
  });

  it("a decoded cursor holds an instant PostgreSQL reads and a UUID; anything else decodes to null", async () => {
    await fc.assert(
      fc.asyncProperty(hostileCursor, async (raw) => {
        const cursor = decodeKeysetCursor(raw);
        if (!cursor) return;
        const at = await pg(
          sql<{ v: string }[]>`select (extract(epoch from ${cursor.at.toISOString()}::timestamptz) * 1000)::text as v`,
        );
        assert.equal(at.ok && Number(at.v), cursor.at.getTime());
        assert.deepEqual(await pg(sql<{ v: string }[]>`select ${cursor.id}::uuid::text as v`), {
          ok: true,
          v: cursor.id,
        });
        assert.equal(encodeKeysetCursor(cursor), raw);
      }),
      { numRuns: 150 },
    );
  });
});

describe("JSON depth", () => {
  it("is measured without recursion, even 1,000,000 levels deep", () => {
    assert.equal(jsonDepthExceeds(JSON.parse(nestedJson(1_000_000)), 32), true);
    assert.equal(jsonDepthExceeds(JSON.parse(nestedJson(32)), 32), false);
    assert.equal(jsonDepthExceeds(JSON.parse(nestedJson(33)), 32), true);
    assert.equal(jsonDepthExceeds({ a: [{ b: 1 }], c: "x" }, 3), false);
  });
});
