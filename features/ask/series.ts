/**
 * Whether a result is a series worth a chart: at least two rows, a label column (time or text) and a
 * numeric column after it. Time labels draw a line; other labels (text, or a number such as the hour
 * of day) draw bars.
 */
export interface ResultColumn {
  name: string;
  type: string;
}

export interface Series {
  kind: "line" | "bar";
  label: string;
  value: string;
  points: { label: string; value: number }[];
}

const numericTypes = new Set(["int2", "int4", "int8", "float4", "float8", "numeric"]);
const timeTypes = new Set(["date", "timestamp", "timestamptz"]);
const maxPoints = 200;

function formatLabel(value: unknown, type: string): string {
  if (value === null || value === undefined) return "(none)";
  if (timeTypes.has(type) && typeof value === "string") {
    // Midnight (date_trunc to a day, week or month) reads better as a plain date.
    return type === "date" || /T00:00(:00(\.0+)?)?(Z|[+-]00(:?00)?)?$/.test(value)
      ? value.slice(0, 10)
      : value.slice(0, 16).replace("T", " ");
  }
  // Rows hold JSON values: a string label as it is, anything else (a number, an array) as its JSON text.
  return typeof value === "string" ? value : JSON.stringify(value);
}

export function detectSeries(columns: ResultColumn[], rows: unknown[][]): Series | null {
  if (rows.length < 2 || rows.length > maxPoints || columns.length < 2) return null;
  const valueIndex = columns.findIndex((c, i) => i > 0 && numericTypes.has(c.type));
  if (valueIndex < 0) return null;
  const labelIndex = 0;
  const labelType = columns[labelIndex]!.type;
  const points: Series["points"] = [];
  for (const row of rows) {
    const value = Number(row[valueIndex]);
    if (!Number.isFinite(value)) return null;
    points.push({ label: formatLabel(row[labelIndex], labelType), value });
  }
  return {
    kind: timeTypes.has(labelType) ? "line" : "bar",
    label: columns[labelIndex]!.name,
    value: columns[valueIndex]!.name,
    points,
  };
}
