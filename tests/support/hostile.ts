import fc from "fast-check";

/**
 * fast-check arbitraries for hostile input, shared by the property suites: text PostgreSQL cannot
 * store, text that is merely unusual, instants and days at and past the edges of what JavaScript and
 * PostgreSQL represent, numbers that are not small integers, keyset cursors and JSON nesting.
 */

const loneSurrogate = fc.constantFrom("\uD800", "\uDBFF", "\uDC00", "\uDFFF");
const rtl = fc.constantFrom("\u202Eevil\u202C", "שלום עולם", "مرحبا بالعالم", "\u200F\u061C");
const combining = fc.integer({ min: 1, max: 40 }).map((n) => `e${"\u0301\u0308\u0323".repeat(n)}`);
const emoji = fc.constantFrom("👩‍👩‍👧‍👦", "🇺🇳", "🧑🏽‍🚀");

/** Text that must be refused wherever it is entered: it has a NUL or a lone surrogate in it. */
export const unstorableText = fc
  .tuple(fc.string({ maxLength: 20 }), fc.oneof(fc.constant("\u0000"), loneSurrogate), fc.string({ maxLength: 20 }))
  .map(([a, bad, b]) => `${a}${bad}${b}`);

/** Text PostgreSQL stores as sent: it must come back unchanged when accepted. */
export const oddButStorableText = fc
  .array(fc.oneof(fc.string({ minLength: 1, maxLength: 10, unit: "grapheme" }), rtl, combining, emoji), {
    minLength: 1,
    maxLength: 6,
  })
  .map((parts) => parts.join(" ").trim())
  .filter((s) => s.length > 0);

/** Text longer than any field allows (up to twice the 1 MB body limit). */
export const hugeText = fc
  .tuple(fc.integer({ min: 10_001, max: 2_000_000 }), fc.constantFrom("x", "é", "😀", "\u202E"))
  .map(([n, ch]) => ch.repeat(Math.ceil(n / ch.length)));

export const hostileText = fc.oneof(
  { arbitrary: unstorableText, weight: 4 },
  { arbitrary: oddButStorableText, weight: 3 },
  { arbitrary: hugeText, weight: 1 },
);

const pad = (n: number, width: number) => String(Math.abs(n)).padStart(width, "0");
const signedYear = (y: number) => (y < 0 || y > 9999 ? `${y < 0 ? "-" : "+"}${pad(y, 6)}` : pad(y, 4));

/** A YYYY-MM-DD day, valid or not: year 0, 9999, ±275760, month 13, February 30. */
export const hostileDay = fc.oneof(
  fc
    .tuple(
      fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 1, 9999, 10000, 275760, -1)),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
    )
    .map(([y, m, d]) => `${signedYear(y)}-${pad(m, 2)}-${pad(d, 2)}`),
  fc.constantFrom("0000-01-01", "2025-02-30", "2024-02-29", "9999-12-31", "0001-01-01", "2025-1-1", "yesterday"),
);

/** An ISO instant with a zone, valid or not, including the edges that used to reach PostgreSQL. */
export const hostileInstant = fc.oneof(
  fc
    .tuple(
      hostileDay,
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.constantFrom("Z", "+14:00", "-14:00", "+00:00", "-12:30", "+25:00"),
    )
    .map(([day, h, m, zone]) => `${day}T${pad(h, 2)}:${pad(m, 2)}:59${zone}`),
  fc.constantFrom(
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59-14:00",
    "0001-01-01T00:00:00+01:00",
    "+275760-09-13T00:00:00Z",
    "-271821-04-20T00:00:00Z",
    "2026-03-02T15:04:05Z",
  ),
);

/** Numbers as JSON values: non-integers, negatives, huge, and strings that look like numbers. */
export const hostileNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(-1, 0, 1, 86_400, 86_401, 2 ** 31, 2 ** 53 + 1, Number.MAX_VALUE, -0),
  fc.constantFrom("1", "1e400", "0x10", " ", "NaN"),
);

/** A query-string number. */
export const hostileNumberText = fc.oneof(
  hostileNumber.map(String),
  fc.constantFrom("1e400", "-0", "00001", "1.5", "Infinity", "9".repeat(400), "", " 5 "),
);

const uuid = fc.uuid();

/** Keyset cursors: well-formed ones at the edges, and anything else a client can send. */
export const hostileCursor = fc.oneof(
  fc
    .tuple(
      fc.oneof(
        hostileInstant,
        fc.date({ noInvalidDate: false }).map((d) => String(d)),
        fc.string(),
      ),
      fc.oneof(uuid, fc.string({ maxLength: 40 })),
    )
    .map(([at, id]) => Buffer.from(`${at}|${id}`, "utf8").toString("base64url")),
  fc
    .tuple(fc.constantFrom(-62_198_755_200_000, -8.64e15, 8.64e15, 253_402_300_799_999, 0), uuid)
    .map(([ms, id]) => Buffer.from(`${new Date(ms).toISOString()}|${id}`, "utf8").toString("base64url")),
  fc.string({ maxLength: 300 }),
  unstorableText,
);

/** JSON text nested `depth` levels deep (built without recursion). */
export function nestedJson(depth: number): string {
  return `${"[".repeat(depth)}1${"]".repeat(depth)}`;
}
