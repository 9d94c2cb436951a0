import { floorCell, type AnswerSize, type FloorRatio } from "./floors";
import type { HttpMeasurement } from "./http";
import type { Measurement } from "./measure";
import type { QueryPlans, StatementPlan } from "./plans";
import { benchQueries, type QueryName } from "./queries";
import type { RoundTrips } from "./round-trips";
import { variantLabels, type VariantName } from "./variants";

/** Console tables of the figures; the same figures go to JSON and to the SVG chart. */
const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "-");
const ratio = (v: number) => (Number.isFinite(v) ? `${v.toFixed(2)}x` : "-");

/** One of the benchmark's targets, as printed at the end and written to the JSON. */
export interface Check {
  what: string;
  ok: boolean;
  detail: string;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export interface Ratios {
  vsAppFilter: number;
  vsAppFilterTx: number;
}

export function ratiosOf(measurements: Measurement[], m: Measurement): Ratios {
  const base = (variant: VariantName) =>
    measurements.find((x) => x.query === m.query && x.variant === variant)?.summary.p50 ?? Number.NaN;
  return { vsAppFilter: m.summary.p50 / base("app-filter"), vsAppFilterTx: m.summary.p50 / base("app-filter-tx") };
}

export function measurementTable(measurements: Measurement[]): string {
  const rows = measurements.map((m) => {
    const r = ratiosOf(measurements, m);
    return [
      benchQueries[m.query].label,
      variantLabels[m.variant],
      ms(m.summary.p50),
      ms(m.summary.p95),
      ms(m.summary.p99),
      m.summary.throughput.toFixed(0),
      ratio(r.vsAppFilter),
      ratio(r.vsAppFilterTx),
      String(m.summary.n),
      m.errors ? `${m.errors} (${m.firstError ?? ""})` : "0",
    ];
  });
  return table(
    ["query", "variant", "p50 ms", "p95 ms", "p99 ms", "ops/s", "/app filter", "/app filter tx", "n", "errors"],
    rows,
  );
}

const messageOrder = ["Q", "P", "D", "H", "B", "E", "S"];
export const messageText = (messages: Record<string, number>) =>
  messageOrder
    .filter((k) => messages[k])
    .map((k) => `${k}${Number.isInteger(messages[k]) ? messages[k] : messages[k]!.toFixed(1)}`)
    .join(" ");

export function roundTripTable(roundTrips: RoundTrips[]): string {
  const rows = roundTrips.map((r) => [
    benchQueries[r.query].label,
    variantLabels[r.variant],
    r.perOperation.roundTrips.toFixed(1),
    messageText(r.perOperation.messages),
  ]);
  return table(
    [
      "query",
      "variant",
      "round trips",
      "client messages per operation (Q query, P parse, D describe, H flush, B bind, E execute, S sync)",
    ],
    rows,
  );
}

function planLines(label: string, plans: StatementPlan[]): string[] {
  return plans.flatMap((p, i) => [
    `  ${label}${plans.length > 1 ? ` (statement ${i + 1})` : ""}: ${p.executionMs.toFixed(3)} ms, indexes: ${p.indexes.join(", ") || "none"}, tenant_id in an index condition: ${p.tenantInIndexCondition ? "yes" : "no"}, seq scans on tenant tables: ${p.seqScansOnTenantTables.join(", ") || "none"}, rows removed by filters: ${p.rowsRemovedByFilter}`,
    ...p.shape.map((s) => `      ${s}`),
  ]);
}

export function planReport(plans: QueryPlans[]): string {
  return plans
    .map((q) =>
      [
        q.label,
        ...planLines("withTenant (RLS only)", q.withTenant),
        ...planLines("withTenant + explicit filter", q.withTenantFilter),
        ...planLines("app filter (BYPASSRLS)", q.appFilter),
      ].join("\n"),
    )
    .join("\n\n");
}

/** "query: Seq Scan on table", once per query and table, for the plans under RLS. */
export function seqScanFindings(plans: QueryPlans[]): string[] {
  const findings = plans.flatMap((q) =>
    [...q.withTenant, ...q.withTenantFilter].flatMap((p) =>
      p.seqScansOnTenantTables.map((t) => `${q.query}: Seq Scan on ${t}`),
    ),
  );
  return [...new Set(findings)];
}

export function httpTable(results: HttpMeasurement[], modes: [string, string]): string {
  const [base, other] = modes;
  const rows = results
    .filter((r) => r.mode === base)
    .flatMap((b) => {
      const o = results.find((r) => r.mode === other && r.target.path === b.target.path);
      const line = (m: HttpMeasurement) => [
        m.target.name,
        m.mode,
        m.summary.throughput.toFixed(1),
        ms(m.summary.p50),
        ms(m.summary.p99),
        String(m.summary.n),
        Object.entries(m.statuses)
          .map(([s, n]) => `${s}:${n}`)
          .join(" "),
      ];
      const diff = o ? `${(((b.summary.p50 - o.summary.p50) / o.summary.p50) * 100).toFixed(1)}%` : "-";
      return [[...line(b), diff], ...(o ? [[...line(o), ""]] : [])];
    });
  return table(["page", "context", "req/s", "p50 ms", "p99 ms", "n", "statuses", `p50 ${base} vs ${other}`], rows);
}

/**
 * Server and PostgreSQL CPU per request (from /proc), each page beside its floor, signed and unsigned
 * context, with the rounds' spread, and the answer's size raw, as sent, and gzipped.
 */
export function cpuTable(results: HttpMeasurement[], floors: FloorRatio[], sizes: AnswerSize[]): string {
  const fixed = (n: number | undefined, digits = 1) => (n === undefined || Number.isNaN(n) ? "-" : n.toFixed(digits));
  const kb = (n: number | undefined) => (n === undefined ? "-" : (n / 1024).toFixed(1));
  const rows = results
    .filter((r) => r.mode === "signed")
    .map((s) => {
      const u = results.find((r) => r.mode === "unsigned" && r.target.path === s.target.path);
      const floor = floors.find((f) => f.page === s.target.name);
      const size = sizes.find((z) => z.path === s.target.path);
      const range = s.serverCpuRangeMs;
      return [
        s.target.name,
        fixed(s.serverCpuMs),
        range ? `${fixed(range[0])}–${fixed(range[1])}` : "-",
        fixed(u?.serverCpuMs),
        fixed(s.postgresCpuMs, 2),
        floor ? floorCell(floor) : "",
        kb(size?.rawBytes),
        size ? `${kb(size.wireBytes)}${size.contentEncoding ? ` ${size.contentEncoding}` : ""}` : "-",
        kb(size?.gzipBytes),
      ];
    });
  return table(
    [
      "page",
      "server CPU ms/req",
      "rounds",
      "unsigned",
      "PostgreSQL CPU ms/req",
      "vs floor",
      "KB raw",
      "KB sent",
      "KB gzip",
    ],
    rows,
  );
}

export interface ScalingRow {
  label: string;
  query: QueryName;
  variant: VariantName;
  p50: number;
  p99: number;
  vsAppFilterTx: number;
}

export function scalingTable(rows: ScalingRow[]): string {
  return table(
    ["data set", "query", "variant", "p50 ms", "p99 ms", "/app filter tx"],
    rows.map((r) => [r.label, r.query, variantLabels[r.variant], ms(r.p50), ms(r.p99), ratio(r.vsAppFilterTx)]),
  );
}
