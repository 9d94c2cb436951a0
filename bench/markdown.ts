import { readFileSync } from "node:fs";
import { floorCell, type AnswerSize, type FloorRatio } from "./floors";
import type { HttpMeasurement } from "./http";
import type { Measurement } from "./measure";
import { benchQueries, type QueryName } from "./queries";
import type { Ratios, ScalingRow } from "./report";
import type { RoundTrips } from "./round-trips";
import { variantLabels, variantNames, type VariantName } from "./variants";

/**
 * docs/benchmark.md's tables from a results file: `npx tsx bench/markdown.ts bench/results/latest.json`.
 * Side by side: p50 per variant and the ratio to the app filter in a transaction; round trips per
 * operation; HTTP signed vs unsigned.
 */
interface Results {
  machine: { nproc: number; cpuModel: string; memoryGiB: number; node: string };
  postgres: string;
  database: { tenants: number; conversations: number; turns: number; bytes: string };
  options: { concurrency: number; durationS: number; rounds: number };
  measurements?: (Measurement & Ratios)[];
  roundTrips?: RoundTrips[];
  http?: { concurrency: number; measurements: HttpMeasurement[]; floors?: FloorRatio[]; sizes?: AnswerSize[] };
  scaling?: { rows: ScalingRow[]; notRun: string[] };
  checks: { what: string; ok: boolean; detail: string }[];
}

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const header = (cells: string[]) => [row(cells), row(cells.map(() => "---"))];

/** Server CPU per request beside the floors, PostgreSQL CPU, answer sizes (bench/report.ts cpuTable). */
function cpuRows(measurements: HttpMeasurement[], floors: FloorRatio[], sizes: AnswerSize[]): string[] {
  const fixed = (n: number | undefined, digits = 1) => (n === undefined ? "-" : n.toFixed(digits));
  const kb = (n: number | undefined) => (n === undefined ? "-" : (n / 1024).toFixed(1));
  const lines = header([
    "page (CPU ms per request)",
    "server, signed",
    "rounds",
    "server, unsigned",
    "PostgreSQL",
    "x floor",
    "KB raw / sent / gzip",
  ]);
  for (const s of measurements.filter((m) => m.mode === "signed")) {
    const u = measurements.find((m) => m.mode === "unsigned" && m.target.path === s.target.path);
    const floor = floors.find((f) => f.page === s.target.name);
    const size = sizes.find((z) => z.path === s.target.path);
    lines.push(
      row([
        s.target.name,
        fixed(s.serverCpuMs),
        s.serverCpuRangeMs ? `${fixed(s.serverCpuRangeMs[0])}–${fixed(s.serverCpuRangeMs[1])}` : "-",
        fixed(u?.serverCpuMs),
        fixed(s.postgresCpuMs, 2),
        floor ? floorCell(floor) : "",
        size ? `${kb(size.rawBytes)} / ${kb(size.wireBytes)} / ${kb(size.gzipBytes)}` : "-",
      ]),
    );
  }
  return lines;
}

export function markdown(r: Results): string {
  const out: string[] = [];
  out.push(
    `Measured on ${r.machine.nproc} cores (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ` +
      `${r.postgres.split(" on ")[0]}; ${r.database.tenants.toLocaleString("en-US")} tenants, ${r.database.conversations.toLocaleString("en-US")} conversations, ` +
      `${r.database.turns.toLocaleString("en-US")} turns (${r.database.bytes}); concurrency ${r.options.concurrency}, ${r.options.durationS} s in ${r.options.rounds} interleaved rounds.`,
    "",
  );
  const queries = [...new Set((r.measurements ?? []).map((m) => m.query))] as QueryName[];
  if (r.measurements) {
    out.push(
      ...header(["query (p50 ms; x app filter in a transaction)", ...variantNames.map((v) => variantLabels[v])]),
    );
    for (const q of queries) {
      const cell = (v: VariantName) => {
        const m = r.measurements!.find((x) => x.query === q && x.variant === v);
        return m ? `${m.summary.p50.toFixed(2)} (${m.vsAppFilterTx.toFixed(2)}x)` : "-";
      };
      out.push(row([benchQueries[q].label, ...variantNames.map(cell)]));
    }
    out.push("");
  }
  if (r.roundTrips) {
    out.push(...header(["round trips per operation", ...variantNames.map((v) => variantLabels[v])]));
    for (const q of queries) {
      const cell = (v: VariantName) =>
        r.roundTrips!.find((x) => x.query === q && x.variant === v)?.perOperation.roundTrips.toFixed(0) ?? "-";
      out.push(row([benchQueries[q].label, ...variantNames.map(cell)]));
    }
    out.push("");
  }
  if (r.http) {
    out.push(
      ...header([
        `HTTP, ${r.http.concurrency} clients`,
        "signed req/s",
        "signed p50 / p99 ms",
        "unsigned req/s",
        "unsigned p50 / p99 ms",
        "p50 signed vs unsigned",
      ]),
    );
    for (const s of r.http.measurements.filter((m) => m.mode === "signed")) {
      const u = r.http.measurements.find((m) => m.mode === "unsigned" && m.target.path === s.target.path);
      if (!u) continue;
      const pct = ((s.summary.p50 - u.summary.p50) / u.summary.p50) * 100;
      out.push(
        row([
          s.target.name,
          s.summary.throughput.toFixed(1),
          `${s.summary.p50.toFixed(1)} / ${s.summary.p99.toFixed(1)}`,
          u.summary.throughput.toFixed(1),
          `${u.summary.p50.toFixed(1)} / ${u.summary.p99.toFixed(1)}`,
          `${pct >= 0 ? "+" : ""}${pct.toFixed(1)}%`,
        ]),
      );
    }
    out.push("");
    if (r.http.floors) out.push(...cpuRows(r.http.measurements, r.http.floors, r.http.sizes ?? []), "");
  }
  if (r.scaling) {
    const variants = [...new Set(r.scaling.rows.map((x) => x.variant))];
    out.push(
      ...header(["scaling (p50 ms; x app filter in a transaction)", "query", ...variants.map((v) => variantLabels[v])]),
    );
    for (const label of new Set(r.scaling.rows.map((x) => x.label))) {
      for (const q of new Set(r.scaling.rows.filter((x) => x.label === label).map((x) => x.query))) {
        const cell = (v: VariantName) => {
          const m = r.scaling!.rows.find((x) => x.label === label && x.query === q && x.variant === v);
          return m ? `${m.p50.toFixed(2)} (${m.vsAppFilterTx.toFixed(2)}x)` : "-";
        };
        out.push(row([label, q, ...variants.map(cell)]));
      }
    }
    out.push("", ...r.scaling.notRun.map((n) => `Not run: ${n}`), "");
  }
  out.push(
    ...header(["check", "result", "figure"]),
    ...r.checks.map((c) => row([c.what, c.ok ? "ok" : "**MISSED**", c.detail])),
  );
  return out.join("\n");
}

const file = process.argv[2];
if (file) console.log(markdown(JSON.parse(readFileSync(file, "utf8")) as Results));
