import { detectSeries } from "@/features/ask/series";
import { cardClass } from "@/components/ui";
import { SeriesChart } from "./series-chart";

export interface SqlResultBody {
  columns: { name: string; type: string }[];
  rows: unknown[][];
  rowCount: number;
  truncated: boolean;
}

// Cells are JSON values (the route's response): strings as they are, everything else as its JSON text.
const cell = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v));

export function ResultView({ result }: { result: SqlResultBody }) {
  const series = detectSeries(result.columns, result.rows);
  return (
    <div className="space-y-3">
      {series ? <SeriesChart series={series} /> : null}
      <p className="text-xs text-slate-500" data-testid="result-count">
        {result.rowCount} {result.rowCount === 1 ? "row" : "rows"}
        {result.truncated ? " (truncated at the row cap)" : ""}
      </p>
      {result.columns.length > 0 ? (
        <div className={`max-h-96 overflow-auto ${cardClass}`}>
          <table className="w-full text-left text-sm" data-testid="result-table">
            <thead className="sticky top-0 bg-slate-50 text-slate-600 dark:bg-slate-800 dark:text-slate-300">
              <tr>
                {result.columns.map((c, i) => (
                  <th key={i} className="px-3 py-2 font-medium">
                    {c.name}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {result.rows.map((row, r) => (
                <tr key={r}>
                  {row.map((v, i) => (
                    <td key={i} className="max-w-md truncate px-3 py-1.5 font-mono text-xs" title={cell(v)}>
                      {cell(v)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
