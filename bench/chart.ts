import type { Measurement } from "./measure";
import { benchQueries, type QueryName } from "./queries";
import { variantLabels, type VariantName } from "./variants";

/**
 * An SVG chart of the side-by-side figures: one panel per query (each with its own scale), one bar
 * per variant at its p50, a whisker up to its p95, and the p50 ratio to "app filter in a
 * transaction" under each bar.
 */
const colors: Record<VariantName, string> = {
  "app-filter": "#64748b",
  "app-filter-tx": "#0ea5e9",
  "with-tenant": "#4f46e5",
  "with-tenant-filter": "#16a34a",
  unpipelined: "#f59e0b",
};

const escape = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function chartSvg(measurements: Measurement[], title: string): string {
  const queries = [...new Set(measurements.map((m) => m.query))] as QueryName[];
  const variants = [...new Set(measurements.map((m) => m.variant))] as VariantName[];
  const columns = 3;
  const panelW = 300;
  const panelH = 230;
  const top = 70;
  const rowsOfPanels = Math.ceil(queries.length / columns);
  const width = columns * panelW + 20;
  const height = top + rowsOfPanels * panelH + 30;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="600">${escape(title)}</text>`,
  ];
  variants.forEach((v, i) => {
    const x = 10 + i * 180;
    out.push(
      `<rect x="${x}" y="34" width="12" height="12" fill="${colors[v]}"/><text x="${x + 16}" y="44">${escape(variantLabels[v])}</text>`,
    );
  });
  out.push(
    `<text x="10" y="62" fill="#475569">bar: p50 latency (ms), whisker: p95; under each bar: p50 / app filter in a transaction</text>`,
  );

  queries.forEach((q, qi) => {
    const px = 10 + (qi % columns) * panelW;
    const py = top + Math.floor(qi / columns) * panelH;
    const ms = measurements.filter((m) => m.query === q);
    const baseTx = ms.find((m) => m.variant === "app-filter-tx")?.summary.p50 ?? Number.NaN;
    const max = Math.max(...ms.map((m) => m.summary.p95)) * 1.1 || 1;
    const plotTop = py + 40;
    const plotH = panelH - 95;
    const barW = Math.min(40, (panelW - 60) / variants.length - 8);
    out.push(`<text x="${px}" y="${py + 22}" font-size="12" font-weight="600">${escape(benchQueries[q].label)}</text>`);
    out.push(
      `<line x1="${px + 30}" y1="${plotTop + plotH}" x2="${px + panelW - 20}" y2="${plotTop + plotH}" stroke="#cbd5e1"/>`,
    );
    for (const tick of [0, 0.5, 1]) {
      const y = plotTop + plotH - tick * plotH;
      out.push(
        `<text x="${px + 26}" y="${y + 4}" text-anchor="end" fill="#64748b" font-size="9">${((tick * max) / 1.1).toFixed(2)}</text>`,
      );
    }
    variants.forEach((v, vi) => {
      const m = ms.find((x) => x.variant === v);
      if (!m) return;
      const x = px + 40 + vi * (barW + 8);
      const h = (m.summary.p50 / max) * plotH;
      const w95 = plotTop + plotH - (m.summary.p95 / max) * plotH;
      out.push(
        `<rect x="${x}" y="${plotTop + plotH - h}" width="${barW}" height="${h}" fill="${colors[v]}"><title>${escape(variantLabels[v])}: p50 ${m.summary.p50.toFixed(3)} ms, p95 ${m.summary.p95.toFixed(3)} ms</title></rect>`,
      );
      out.push(
        `<line x1="${x + barW / 2}" y1="${plotTop + plotH - h}" x2="${x + barW / 2}" y2="${w95}" stroke="#0f172a" stroke-width="1"/>`,
      );
      out.push(
        `<text x="${x + barW / 2}" y="${plotTop + plotH - h - 3}" text-anchor="middle" font-size="9">${m.summary.p50.toFixed(2)}</text>`,
      );
      out.push(
        `<text x="${x + barW / 2}" y="${plotTop + plotH + 14}" text-anchor="middle" font-size="9" fill="#334155">${(m.summary.p50 / baseTx).toFixed(2)}x</text>`,
      );
    });
  });
  out.push("</svg>");
  return out.join("\n");
}
