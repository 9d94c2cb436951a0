/**
 * CSV (RFC 4180) cells and rows. A text cell that a spreadsheet would run as a formula (one starting
 * with =, +, -, @, tab or carriage return: OWASP "CSV injection") gets a leading apostrophe, so
 * `=HYPERLINK(…)` typed by a caller stays text when someone opens the export.
 */
const formulaStart = /^[=+\-@\t\r]/;

export function csvCell(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  const text = value instanceof Date ? value.toISOString() : formulaStart.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvRow(values: (string | number | Date | null | undefined)[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}
