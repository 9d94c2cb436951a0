"use client";

// Given plain data: see "Many repeated elements" in docs/architecture.md.
import { seriesColor } from "./palette";

interface Props {
  id: string;
  title: string;
  items: { id: string; label: string; value: number; display: string; colorIndex: number }[];
}

/** Labelled bars as HTML (text and numbers readable as they are); the bar is decoration. */
export function HorizontalBars({ id, title, items }: Props) {
  const max = Math.max(1, ...items.map((i) => i.value));
  return (
    <ul className="space-y-2" aria-label={title} data-testid={id}>
      {items.map((item) => (
        <li
          key={item.id}
          className="grid grid-cols-[minmax(6rem,10rem)_1fr_auto] items-center gap-3 text-sm"
          data-item-id={item.id}
        >
          <span className="truncate" title={item.label}>
            {item.label}
          </span>
          {/* An SVG, not a style attribute: the Content-Security-Policy allows no inline styles. */}
          <svg
            aria-hidden
            viewBox="0 0 100 1"
            preserveAspectRatio="none"
            className="block h-3 w-full rounded-sm bg-slate-100 dark:bg-slate-800"
          >
            <rect width={(item.value / max) * 100} height={1} className={seriesColor(item.colorIndex).fill} />
          </svg>
          <span className="tabular-nums text-slate-600 dark:text-slate-400" data-testid="value">
            {item.display}
          </span>
        </li>
      ))}
    </ul>
  );
}
