import { highlightStart, highlightStop } from "@/lib/highlight";

/**
 * Text from ts_headline with its matches between two control characters (stripped from the stored
 * text before highlighting, so only ts_headline can have put them there). Every part is rendered as
 * React text: a transcript that contains markup shows the markup, it never becomes HTML.
 */
export function hasHighlight(text: string): boolean {
  return text.includes(highlightStart);
}

export function Highlighted({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let rest = text;
  for (let key = 0; rest.length > 0; key++) {
    const start = rest.indexOf(highlightStart);
    if (start < 0) {
      parts.push(rest);
      break;
    }
    if (start > 0) parts.push(rest.slice(0, start));
    const stop = rest.indexOf(highlightStop, start + 1);
    const end = stop < 0 ? rest.length : stop;
    parts.push(
      <mark key={key} className="mark">
        {rest.slice(start + 1, end)}
      </mark>,
    );
    rest = stop < 0 ? "" : rest.slice(stop + 1);
  }
  return <>{parts}</>;
}
