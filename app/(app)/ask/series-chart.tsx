import type { Series } from "@/features/ask/series";
import { cardClass } from "@/components/ui";

/** A plain SVG chart: bars for categories, a line for time. No chart library needed for this. */
export function SeriesChart({ series }: { series: Series }) {
  const width = 640;
  const height = 220;
  const pad = { top: 12, right: 12, bottom: 36, left: 48 };
  const innerW = width - pad.left - pad.right;
  const innerH = height - pad.top - pad.bottom;
  const max = Math.max(0, ...series.points.map((p) => p.value));
  const min = Math.min(0, ...series.points.map((p) => p.value));
  const span = max - min || 1;
  const y = (v: number) => pad.top + innerH - ((v - min) / span) * innerH;
  const step = innerW / series.points.length;
  const x = (i: number) => pad.left + step * i + step / 2;
  const labelEvery = Math.max(1, Math.ceil(series.points.length / 8));
  return (
    <figure className={`${cardClass} p-3`} data-testid="result-chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={`${series.value} by ${series.label}`}
        className="h-auto w-full text-indigo-600 dark:text-indigo-400"
      >
        <line
          x1={pad.left}
          x2={width - pad.right}
          y1={y(0)}
          y2={y(0)}
          className="stroke-slate-300 dark:stroke-slate-700"
        />
        <text x={pad.left - 6} y={y(max) + 4} textAnchor="end" className="fill-slate-500 text-[10px]">
          {max.toLocaleString()}
        </text>
        {min < 0 ? (
          <text x={pad.left - 6} y={y(min) + 4} textAnchor="end" className="fill-slate-500 text-[10px]">
            {min.toLocaleString()}
          </text>
        ) : null}
        {series.kind === "bar" ? (
          series.points.map((p, i) => (
            <rect
              key={i}
              x={x(i) - Math.max(1, step * 0.35)}
              width={Math.max(2, step * 0.7)}
              y={Math.min(y(p.value), y(0))}
              height={Math.abs(y(0) - y(p.value))}
              fill="currentColor"
            >
              <title>{`${p.label}: ${p.value.toLocaleString()}`}</title>
            </rect>
          ))
        ) : (
          <polyline
            fill="none"
            stroke="currentColor"
            strokeWidth={2}
            points={series.points.map((p, i) => `${x(i)},${y(p.value)}`).join(" ")}
          />
        )}
        {series.points.map((p, i) =>
          i % labelEvery === 0 ? (
            <text
              key={i}
              x={x(i)}
              y={height - pad.bottom + 14}
              textAnchor="middle"
              className="fill-slate-500 text-[10px]"
            >
              {p.label.length > 14 ? `${p.label.slice(0, 13)}…` : p.label}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption className="mt-1 text-center text-xs text-slate-500">
        {series.value} by {series.label}
      </figcaption>
    </figure>
  );
}
