import { mkdirSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { chartSvg } from "@/bench/chart";
import { benchServerSettings, databaseSize, openBenchDatabase, prewarm, type BenchDatabase } from "@/bench/database";
import { httpPhase } from "@/bench/http-phase";
import type { Measurement } from "@/bench/measure";
import type { QueryPlans } from "@/bench/plans";
import { benchInsertCaller, mainQueryNames, queryNames, type QueryName } from "@/bench/queries";
import {
  measurementTable,
  planReport,
  ratiosOf,
  roundTripTable,
  seqScanFindings,
  table,
  type Check,
} from "@/bench/report";
import type { RoundTrips } from "@/bench/round-trips";
import { resultsDir, runJob } from "@/bench/run-job";
import { defaultScaleConfigs, parseScaleConfigs } from "@/bench/scaling";
import { scalingPhase } from "@/bench/scaling-phase";
import { restoreSignedContext } from "@/bench/unsigned-context";
import { variantNames, type VariantName } from "@/bench/variants";

// npm run bench [-- --tenants 1000 --conversations 1000 --concurrency 1 --duration 300 --phases queries,round-trips,plans,http,scaling]
const phaseNames = ["queries", "round-trips", "plans", "http", "scaling"] as const;
type Phase = (typeof phaseNames)[number];

const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "1000" },
    conversations: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "1" },
    duration: { type: "string", default: "300" },
    rounds: { type: "string", default: "10" },
    phases: { type: "string", default: phaseNames.join(",") },
    queries: { type: "string", default: queryNames.join(",") },
    "http-duration": { type: "string", default: "90" },
    "http-concurrency": { type: "string", default: "4" },
    "http-paths": { type: "string", default: "" },
    "http-rounds": { type: "string", default: "10" },
    "no-build": { type: "boolean", default: false },
    scale: { type: "string", default: "" },
    "scale-duration": { type: "string", default: "24" },
    name: { type: "string", default: "latest" },
    help: { type: "boolean", default: false },
  },
});

if (values.help) {
  console.log(`npm run bench -- [options]
  --tenants N --conversations M   data set of the side-by-side run (default 1000 x 1000), seeded once into .data/bench
  --concurrency C                 concurrent operations per variant (default 1; the pools get C connections)
  --duration S                    seconds of measurement for the side-by-side run (default 300), cut into --rounds rounds
  --phases list                   ${phaseNames.join(",")} (default: all)
  --queries list                  ${queryNames.join(",")}
  --http-duration S --http-concurrency C --http-rounds R --http-paths /a,/b
                                  the HTTP run: S seconds per context (signed, unsigned) in R alternating rounds
                                  at C concurrent clients (default 90, 4, 10; R even); paths are added to the default pages
  --no-build                      reuse the existing production build (.next) for the HTTP run
  --scale 100k:1000,1M:10         rows:tenants data sets of the scaling run (default ${defaultScaleConfigs.map((c) => `${c.rows}:${c.tenants}`).join(",")})
  --scale-duration S              seconds per scaling data set (default 24)
  --name NAME                     results file names under bench/results/ (default latest)`);
  process.exit(0);
}

const positive = (name: string, text: string) => {
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) {
    console.error(`--${name} must be a positive number, got ${text}`);
    process.exit(2);
  }
  return n;
};
// The signed and unsigned rounds alternate which goes first; with an odd count one of them goes first
// more often, and a server still warming up then makes it look slower (a 3-round run once put the
// signed context 0.4 to 1 ms of CPU per request above the unsigned one; 4 rounds showed no difference).
const evenRounds = (text: string) => {
  const n = positive("http-rounds", text);
  if (n % 2 !== 0) {
    console.error(`--http-rounds must be even (each context goes first as often as the other), got ${text}`);
    process.exit(2);
  }
  return n;
};
const tenants = positive("tenants", values.tenants);
const conversations = positive("conversations", values.conversations);
const concurrency = positive("concurrency", values.concurrency);
const durationS = positive("duration", values.duration);
const rounds = positive("rounds", values.rounds);
const phases = new Set(values.phases.split(",").map((p) => p.trim()) as Phase[]);
for (const p of phases)
  if (!phaseNames.includes(p)) throw new Error(`unknown phase ${p}; phases: ${phaseNames.join(", ")}`);
const queries = values.queries.split(",").map((q) => q.trim()) as QueryName[];
for (const q of queries)
  if (!queryNames.includes(q)) throw new Error(`unknown query ${q}; queries: ${queryNames.join(", ")}`);
const scaleConfigs = values.scale ? parseScaleConfigs(values.scale) : defaultScaleConfigs;

mkdirSync(resultsDir, { recursive: true });
const log = (line: string) => console.log(line);
const heading = (text: string) => console.log(`\n=== ${text}`);

async function ownerQuery<T extends postgres.Row>(url: string, run: (sql: postgres.Sql) => Promise<T[]>): Promise<T[]> {
  const owner = postgres(url, { max: 1, onnotice: () => undefined });
  try {
    return await run(owner);
  } finally {
    await owner.end();
  }
}

function machine() {
  const cpus = os.cpus();
  return {
    nproc: os.availableParallelism(),
    cpuModel: cpus[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  };
}

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  options: { tenants, conversations, concurrency, durationS, rounds, phases: [...phases], queries },
  machine: machine(),
  loadAverageAtStart: os.loadavg(),
  serverSettings: benchServerSettings,
};
const checks: Check[] = [];

const started = Date.now();
heading("bench database");
const db: BenchDatabase = await openBenchDatabase({ tenants, conversationsPerTenant: conversations }, log);
try {
  await restoreSignedContext(db.ownerUrl, log);
  await ownerQuery(db.ownerUrl, (sql) => sql`delete from conversations where caller = ${benchInsertCaller}`);
  const [version] = await ownerQuery(db.ownerUrl, (sql) => sql<{ version: string }[]>`select version()`);
  results.postgres = version?.version;
  results.database = await databaseSize(db.ownerUrl);
  log(`Data set: ${JSON.stringify(results.database)}`);
  await prewarm(db.ownerUrl, log);
  const childEnv = { ...db.appEnv, DB_POOL_MAX: String(concurrency) };

  if (phases.has("queries")) {
    heading(
      `side by side: ${queries.length} queries x ${variantNames.length} variants, ${rounds} interleaved rounds, concurrency ${concurrency}`,
    );
    const slotMs = (durationS * 1000) / (rounds * queries.length); // the variants take turns within a slot
    const measurements = await runJob<Measurement[]>(
      {
        kind: "measure",
        appFilterUrl: db.appFilterUrl,
        conversationsPerTenant: 20,
        options: {
          variants: [...variantNames],
          queries,
          concurrency,
          rounds,
          slotMs,
          warmupSlotMs: Math.min(500, slotMs),
          seed: 42,
        },
      },
      childEnv,
    );
    results.measurements = measurements.map((m) => ({ ...m, ...ratiosOf(measurements, m) }));
    console.log(measurementTable(measurements));
    for (const q of queries.filter((name) => mainQueryNames.includes(name))) {
      for (const v of ["with-tenant", "with-tenant-filter"] as VariantName[]) {
        const m = measurements.find((x) => x.query === q && x.variant === v);
        if (!m) continue;
        const r = ratiosOf(measurements, m);
        checks.push({
          what: `${v} ${q}: p50 within 1.05x of app filter in a transaction`,
          ok: r.vsAppFilterTx <= 1.05,
          detail: `${r.vsAppFilterTx.toFixed(3)}x`,
        });
      }
    }
    const list = measurements.find((x) => x.query === "list" && x.variant === "with-tenant");
    if (list)
      checks.push({
        what: "withTenant list page vs app filter without transaction (aim 1.25x)",
        ok: ratiosOf(measurements, list).vsAppFilter <= 1.25,
        detail: `${ratiosOf(measurements, list).vsAppFilter.toFixed(3)}x`,
      });
    writeFileSync(
      path.join(resultsDir, `${values.name}.svg`),
      chartSvg(
        measurements,
        `Tenant isolation, side by side: ${tenants} tenants x ${conversations} conversations, concurrency ${concurrency}, ${os.availableParallelism()} cores`,
      ),
    );
  }

  if (phases.has("round-trips")) {
    heading("round trips per operation, counted on the wire");
    const roundTrips = await runJob<RoundTrips[]>(
      { kind: "round-trips", appFilterUrl: db.appFilterUrl, variants: [...variantNames], queries, operations: 20 },
      childEnv,
    );
    results.roundTrips = roundTrips;
    console.log(roundTripTable(roundTrips));
  }

  if (phases.has("plans")) {
    heading("plans under RLS (EXPLAIN ANALYZE inside the real withTenant; app filter for comparison)");
    const { tenantSlug, plans } = await runJob<{ tenantSlug: string; plans: QueryPlans[] }>(
      { kind: "plans", appFilterUrl: db.appFilterUrl, queries, tenantSlug: "acme-health" },
      childEnv,
    );
    results.plans = { tenantSlug, plans };
    console.log(planReport(plans));
    const seqScans = seqScanFindings(plans);
    checks.push({
      what: "no sequential scan on a tenant table in any plan under RLS",
      ok: seqScans.length === 0,
      detail: seqScans.join("; ") || "none",
    });
  }

  if (phases.has("http")) {
    heading("HTTP: the real pages under load, signed context vs the plain unsigned setting");
    results.http = await httpPhase(
      db,
      {
        concurrency: positive("http-concurrency", values["http-concurrency"]),
        durationMs: positive("http-duration", values["http-duration"]) * 1000,
        rounds: evenRounds(values["http-rounds"]),
        build: !values["no-build"],
        extraPaths: values["http-paths"].split(",").filter(Boolean),
      },
      log,
      checks,
    );
  }

  if (phases.has("scaling")) {
    heading("scaling: list and search as rows and tenants grow");
    results.scaling = await scalingPhase(
      db,
      {
        configs: scaleConfigs,
        durationMs: positive("scale-duration", values["scale-duration"]) * 1000,
        explicit: Boolean(values.scale),
      },
      log,
    );
  }

  await ownerQuery(db.ownerUrl, (sql) => sql`delete from conversations where caller = ${benchInsertCaller}`);
} finally {
  await restoreSignedContext(db.ownerUrl, log).catch((e: unknown) => console.error(e));
  await db.stop();
}

results.loadAverageAtEnd = os.loadavg();
results.checks = checks;
const totalS = Math.round((Date.now() - started) / 1000);
results.durationS = totalS;
writeFileSync(path.join(resultsDir, `${values.name}.json`), JSON.stringify(results, null, 2));
heading("checks");
console.log(
  table(
    ["check", "result", "figure"],
    checks.map((c) => [c.what, c.ok ? "ok" : "MISSED", c.detail]),
  ),
);
console.log(
  `\nResults: bench/results/${values.name}.json${phases.has("queries") ? `, bench/results/${values.name}.svg` : ""} (${totalS} s; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(" ")} on ${os.availableParallelism()} cores)`,
);
