"use client";

// Given plain data: see "Many repeated elements" in docs/architecture.md.
import { statusColors } from "./palette";

interface Props {
  id: string;
  title: string;
  statuses: { status: string; conversations: number }[];
}

const width = 600;
const height = 28;

/** One bar split by status, with a legend that carries the numbers (what a screen reader reads). */
export function StatusBreakdown({ id, title, statuses }: Props) {
  const total = statuses.reduce((sum, s) => sum + s.conversations, 0);
  // Each status's segment: its width and where it starts (after the segments before it).
  const segments: { status: string; conversations: number; x: number; w: number }[] = [];
  for (const s of statuses) {
    const previous = segments.at(-1);
    const w = total === 0 ? 0 : (s.conversations / total) * width;
    segments.push({ ...s, x: previous ? previous.x + previous.w : 0, w });
  }
  const percent = (n: number) => (total === 0 ? 0 : Math.round((n / total) * 1000) / 10);
  return (
    <figure className="space-y-3">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        preserveAspectRatio="none"
        className="h-7 w-full overflow-hidden rounded-md"
        role="img"
        aria-labelledby={`${id}-title`}
      >
        <title
          id={`${id}-title`}
        >{`${title}: ${statuses.map((s) => `${s.status} ${s.conversations}`).join(", ")}`}</title>
        {segments.map((s) => (
          <rect
            key={s.status}
            x={s.x}
            y={0}
            width={s.w}
            height={height}
            className={statusColors[s.status]?.fill ?? "fill-slate-400"}
          >
            <title>{`${s.status}: ${s.conversations} (${percent(s.conversations)}%)`}</title>
          </rect>
        ))}
      </svg>
      <figcaption>
        <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-2" data-testid={`${id}-legend`}>
          {statuses.map((s) => (
            <div key={s.status} className="flex items-center gap-2" data-status={s.status}>
              <span
                aria-hidden
                className={`inline-block h-3 w-3 shrink-0 rounded-sm ${statusColors[s.status]?.bg ?? "bg-slate-400"}`}
              />
              <dt className="capitalize">{s.status}</dt>
              <dd className="ml-auto tabular-nums text-slate-600 dark:text-slate-400">
                <span data-testid="count">{s.conversations}</span> · {percent(s.conversations)}%
              </dd>
            </div>
          ))}
        </dl>
      </figcaption>
    </figure>
  );
}
