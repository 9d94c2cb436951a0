"use client";

// Given plain data: see "Many repeated elements" in docs/architecture.md.
import { textLinkClass } from "../ui";
import { niceScale, seriesColor } from "./palette";

export interface DailySeries {
  id: string;
  name: string;
  values: number[];
}

interface Props {
  id: string;
  title: string;
  description: string;
  days: string[];
  series: DailySeries[];
}

const width = 720;
const height = 260;
const margin = { top: 12, right: 8, bottom: 28, left: 36 };
const dayLabel = new Intl.DateTimeFormat("en-US", { month: "short", day: "numeric", timeZone: "UTC" });
const label = (day: string) => dayLabel.format(new Date(`${day}T00:00:00Z`));

/** Conversations per day, stacked by agent; server-rendered SVG with a data table for screen readers. */
export function DailyStackedBars({ id, title, description, days, series }: Props) {
  const totals = days.map((_, d) => series.reduce((sum, s) => sum + (s.values[d] ?? 0), 0));
  const { max, step } = niceScale(Math.max(0, ...totals));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const slot = plotWidth / Math.max(days.length, 1);
  const barWidth = Math.max(2, slot * 0.7);
  const y = (v: number) => margin.top + plotHeight - (v / max) * plotHeight;
  const ticks = Array.from({ length: Math.round(max / step) + 1 }, (_, i) => i * step);

  return (
    <figure className="space-y-3">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        className="h-auto w-full text-slate-500 dark:text-slate-400"
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {ticks.map((t) => (
          <g key={t}>
            <line
              x1={margin.left}
              x2={width - margin.right}
              y1={y(t)}
              y2={y(t)}
              className="stroke-slate-200 dark:stroke-slate-800"
              strokeWidth={1}
            />
            <text x={margin.left - 6} y={y(t)} dy="0.32em" textAnchor="end" className="fill-current text-[11px]">
              {t}
            </text>
          </g>
        ))}
        {days.map((day, d) => {
          let base = 0;
          const x = margin.left + d * slot + (slot - barWidth) / 2;
          return (
            <g key={day}>
              {/* One tooltip per day's bar, not one per segment: the table below has every number. */}
              <title>{`${label(day)}: ${series.map((s) => `${s.name} ${s.values[d] ?? 0}`).join(", ")}`}</title>
              {series.map((s, i) => {
                const v = s.values[d] ?? 0;
                if (v === 0) return null;
                const top = y(base + v);
                const rect = (
                  <rect
                    key={s.id}
                    x={x}
                    y={top}
                    width={barWidth}
                    height={y(base) - top}
                    className={seriesColor(i).fill}
                  />
                );
                base += v;
                return rect;
              })}
              {d % 5 === 0 || d === days.length - 1 ? (
                <text x={x + barWidth / 2} y={height - 8} textAnchor="middle" className="fill-current text-[11px]">
                  {label(day)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="flex flex-wrap gap-x-4 gap-y-1 text-sm" aria-label="Legend">
          {series.map((s, i) => (
            <li key={s.id} className="flex items-center gap-1.5">
              <span aria-hidden className={`inline-block h-3 w-3 shrink-0 rounded-sm ${seriesColor(i).bg}`} />
              {s.name}
            </li>
          ))}
        </ul>
      </figcaption>
      <details className="text-sm">
        <summary
          className={`cursor-pointer ${textLinkClass} focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50`}
        >
          Show the numbers as a table
        </summary>
        <div className="mt-2 max-h-80 overflow-auto">
          <table className="chart-table" data-testid={`${id}-table`}>
            <caption className="sr-only">{title}</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                {series.map((s) => (
                  <th key={s.id} scope="col">
                    {s.name}
                  </th>
                ))}
                <th scope="col">Total</th>
              </tr>
            </thead>
            <tbody>
              {days.map((day, d) => (
                <tr key={day}>
                  <th scope="row">{day}</th>
                  {series.map((s) => (
                    <td key={s.id}>{s.values[d] ?? 0}</td>
                  ))}
                  <td>{totals[d]}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
