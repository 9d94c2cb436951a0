/**
 * Text that PostgreSQL can store: no NUL (text and jsonb refuse U+0000) and no lone UTF-16 surrogate
 * (it has no UTF-8 form; jsonb refuses its \ud800 escape). Input with either is refused at the entry
 * point; these helpers make a storable copy for records that must be written whatever the input was
 * (the agent SQL audit row), and truncate without splitting a surrogate pair.
 */

/** Why the text cannot be stored as it is, or null when it can. */
export function unstorableTextReason(text: string): string | null {
  if (text.includes("\u0000")) return "contains a NUL character (U+0000)";
  if (!text.isWellFormed()) return "contains a lone UTF-16 surrogate (not a character)";
  return null;
}

/** A storable copy: NUL and lone surrogates replaced by U+FFFD. */
export function storableText(text: string): string {
  return text.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

/** At most maxUnits UTF-16 code units, never ending in the first half of a surrogate pair. */
export function truncateText(text: string, maxUnits: number): string {
  if (text.length <= maxUnits) return text;
  const end = maxUnits > 0 && isHighSurrogate(text.charCodeAt(maxUnits - 1)) ? maxUnits - 1 : maxUnits;
  return text.slice(0, Math.max(0, end));
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;

/** truncateText then storableText: what an audit row may hold of untrusted text. */
export function auditableText(text: string, maxUnits: number): { text: string; truncated: boolean; altered: boolean } {
  const cut = truncateText(text, maxUnits);
  const stored = storableText(cut);
  return { text: stored, truncated: cut.length < text.length, altered: stored !== cut };
}
