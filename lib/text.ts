/**
 * Text as PostgreSQL stores it. A `text` value cannot hold NUL (U+0000: the insert fails), and a
 * lone UTF-16 surrogate has no UTF-8 form (the driver silently writes U+FFFD instead). Entry points
 * refuse both (lib/validation.ts); the two helpers below are for text that must be kept whatever it
 * holds (an audit row of a refused request), where a cut or a substitution is recorded as such.
 */

// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why PostgreSQL cannot store this text as it is, or null when it can. */
export function unstorableReason(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (U+0000)";
  if (loneSurrogate.test(text)) return "contains a lone UTF-16 surrogate (not valid Unicode)";
  return null;
}

export const isStorableText = (text: string): boolean => unstorableReason(text) === null;

/** NUL and lone surrogates replaced by U+FFFD: for audit text only, never for data a user entered. */
export function toStorableText(text: string): string {
  return text.replaceAll("\u0000", "\uFFFD").replace(new RegExp(loneSurrogate.source, "g"), "\uFFFD");
}

/** Length in Unicode code points (what a person would call characters, near enough; PostgreSQL's length()). */
export function codePointLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

export const utf8Length = (text: string): number => Buffer.byteLength(text, "utf8");

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The longest prefix of `text` within both bounds that ends on a grapheme boundary: never half a
 * surrogate pair, never a base letter without its combining marks, never half an emoji sequence.
 * `truncated` says whether anything was cut.
 */
export function truncateText(
  text: string,
  bounds: { maxChars?: number; maxBytes?: number },
): { text: string; truncated: boolean } {
  const maxChars = bounds.maxChars ?? Infinity;
  const maxBytes = bounds.maxBytes ?? Infinity;
  if (text.length <= maxChars && (maxBytes === Infinity || utf8Length(text) <= maxBytes)) {
    return { text, truncated: false };
  }
  // Segmenting reads the whole string it is given: only a window that surely reaches past the bounds
  // (a character is at most 2 UTF-16 units and at least 1 byte), so a 1 MB text costs what its cut does.
  const window = text.slice(0, Math.min(2 * maxChars, maxBytes) + 2);
  let end = 0;
  let chars = 0;
  let bytes = 0;
  for (const { segment } of graphemes.segment(window)) {
    const segmentChars = codePointLength(segment);
    const segmentBytes = utf8Length(segment);
    if (chars + segmentChars > maxChars || bytes + segmentBytes > maxBytes) break;
    chars += segmentChars;
    bytes += segmentBytes;
    end += segment.length;
  }
  return { text: text.slice(0, end), truncated: end < text.length };
}

/** What a record of untrusted text may hold (an audit row): cut within maxChars, then made storable. */
export function auditableText(text: string, maxChars: number): { text: string; truncated: boolean; altered: boolean } {
  const cut = truncateText(text, { maxChars });
  const stored = toStorableText(cut.text);
  return { text: stored, truncated: cut.truncated, altered: stored !== cut.text };
}
