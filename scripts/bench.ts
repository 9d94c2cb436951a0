import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import postgres from "postgres";
import { chartSvg } from "@/bench/chart";
import { benchServerSettings, databaseSize, openBenchDatabase, prewarm, withDatabase, type BenchDatabase } from "@/bench/database";
import { get, load, signIn, startNextServer, toMeasurement, type HttpMeasurement, type HttpRun, type HttpTarget } from "@/bench/http";
import type { Job } from "@/bench/job";
import type { Measurement } from "@/bench/measure";
import type { QueryPlans } from "@/bench/plans";
import { benchInsertCaller, mainQueryNames, queryNames, type QueryName } from "@/bench/queries";
import { httpTable, measurementTable, planReport, ratiosOf, roundTripTable, scalingTable, seqScanFindings, table, type ScalingRow } from "@/bench/report";
import type { RoundTrips } from "@/bench/round-trips";
import { defaultScaleConfigs, ensureScaleDatabase, optInScaleConfigs, parseScaleConfigs, scaleLabel } from "@/bench/scaling";
import { contextFunctionCost, restoreSignedContext, useUnsignedContext } from "@/bench/unsigned-context";
import { variantNames, type VariantName } from "@/bench/variants";
import { searchTermOf } from "@/bench/workload";
import { mintContextToken } from "@/db/context-token";

// npm run bench [-- --tenants 1000 --conversations 1000 --concurrency 1 --duration 120 --phases queries,round-trips,plans,http,scaling]
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
                                  at C concurrent clients (default 90, 4, 10); paths are added to the default pages
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
const tenants = positive("tenants", values.tenants);
const conversations = positive("conversations", values.conversations);
const concurrency = positive("concurrency", values.concurrency);
const durationS = positive("duration", values.duration);
const rounds = positive("rounds", values.rounds);
const phases = new Set(values.phases.split(",").map((p) => p.trim()) as Phase[]);
for (const p of phases) if (!phaseNames.includes(p)) throw new Error(`unknown phase ${p}; phases: ${phaseNames.join(", ")}`);
const queries = values.queries.split(",").map((q) => q.trim()) as QueryName[];
for (const q of queries) if (!queryNames.includes(q)) throw new Error(`unknown query ${q}; queries: ${queryNames.join(", ")}`);
const scaleConfigs = values.scale ? parseScaleConfigs(values.scale) : defaultScaleConfigs;

const resultsDir = path.join(process.cwd(), "bench", "results");
const scratchDir = path.join(resultsDir, "tmp");
mkdirSync(scratchDir, { recursive: true });
const log = (line: string) => console.log(line);
const heading = (text: string) => console.log(`\n=== ${text}`);

let jobCount = 0;
/** Runs one job (bench/job.ts) in a child process whose environment points the app code at `appEnv`. */
function runJob<T>(job: Job, appEnv: Record<string, string>): Promise<T> {
  const n = ++jobCount;
  const jobFile = path.join(scratchDir, `job-${process.pid}-${n}.json`);
  const resultFile = path.join(scratchDir, `result-${process.pid}-${n}.json`);
  writeFileSync(jobFile, JSON.stringify(job));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/job.ts", jobFile, resultFile], {
      env: { ...process.env, ...appEnv },
      stdio: "inherit",
    });
    child.on("exit", (code) => {
      if (code !== 0) return reject(new Error(`bench job ${job.kind} failed (exit ${code})`));
      resolve(JSON.parse(readFileSync(resultFile, "utf8")) as T);
    });
  });
}

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

function mintCostMicroseconds(): number {
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) mintContextToken({ tenantId: "8a7f0a8e-2f4c-4b7e-9d43-0d3f1d7c9b21", userId: "0f8e2c7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b" }, "a".repeat(43), 30);
  return ((performance.now() - t0) / n) * 1000;
}

const results: Record<string, unknown> = {
  startedAt: new Date().toISOString(),
  options: { tenants, conversations, concurrency, durationS, rounds, phases: [...phases], queries },
  machine: machine(),
  loadAverageAtStart: os.loadavg(),
  serverSettings: benchServerSettings,
};
const checks: { what: string; ok: boolean; detail: string }[] = [];

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
    heading(`side by side: ${queries.length} queries x ${variantNames.length} variants, ${rounds} interleaved rounds, concurrency ${concurrency}`);
    const slotMs = (durationS * 1000) / (rounds * queries.length); // the variants take turns within a slot
    const measurements = await runJob<Measurement[]>(
      {
        kind: "measure",
        appFilterUrl: db.appFilterUrl,
        conversationsPerTenant: 20,
        options: { variants: [...variantNames], queries, concurrency, rounds, slotMs, warmupSlotMs: Math.min(500, slotMs), seed: 42 },
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
        checks.push({ what: `${v} ${q}: p50 within 1.05x of app filter in a transaction`, ok: r.vsAppFilterTx <= 1.05, detail: `${r.vsAppFilterTx.toFixed(3)}x` });
      }
    }
    const list = measurements.find((x) => x.query === "list" && x.variant === "with-tenant");
    if (list) checks.push({ what: "withTenant list page vs app filter without transaction (aim 1.25x)", ok: ratiosOf(measurements, list).vsAppFilter <= 1.25, detail: `${ratiosOf(measurements, list).vsAppFilter.toFixed(3)}x` });
    writeFileSync(path.join(resultsDir, `${values.name}.svg`), chartSvg(measurements, `Tenant isolation, side by side: ${tenants} tenants x ${conversations} conversations, concurrency ${concurrency}, ${os.availableParallelism()} cores`));
  }

  if (phases.has("round-trips")) {
    heading("round trips per operation, counted on the wire");
    const roundTrips = await runJob<RoundTrips[]>({ kind: "round-trips", appFilterUrl: db.appFilterUrl, variants: [...variantNames], queries, operations: 20 }, childEnv);
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
    checks.push({ what: "no sequential scan on a tenant table in any plan under RLS", ok: seqScans.length === 0, detail: seqScans.join("; ") || "none" });
  }

  if (phases.has("http")) {
    heading("HTTP: the real pages under load, signed context vs the plain unsigned setting");
    results.http = await httpPhase(db);
  }

  if (phases.has("scaling")) {
    heading("scaling: list and search as rows and tenants grow");
    results.scaling = await scalingPhase(db);
  }

  await ownerQuery(db.ownerUrl, (sql) => sql`delete from conversations where caller = ${benchInsertCaller}`);
} finally {
  await restoreSignedContext(db.ownerUrl, log).catch((e: unknown) => console.error(e));
  await db.stop();
}

results.loadAverageAtEnd = os.loadavg();
results.checks = checks;
results.durationS = Math.round((Date.now() - started) / 1000);
writeFileSync(path.join(resultsDir, `${values.name}.json`), JSON.stringify(results, null, 2));
heading("checks");
console.log(table(["check", "result", "figure"], checks.map((c) => [c.what, c.ok ? "ok" : "MISSED", c.detail])));
console.log(`\nResults: bench/results/${values.name}.json${phases.has("queries") ? `, bench/results/${values.name}.svg` : ""} (${results.durationS} s; load average ${os.loadavg().map((l) => l.toFixed(1)).join(" ")} on ${os.availableParallelism()} cores)`);

async function httpPhase(bench: BenchDatabase) {
  const httpConcurrency = positive("http-concurrency", values["http-concurrency"]);
  const httpDurationMs = positive("http-duration", values["http-duration"]) * 1000;
  if (!values["no-build"]) {
    log("next build (production) …");
    const code = await new Promise<number>((resolve) => {
      const child = spawn("npx", ["next", "build"], { env: { ...process.env, ...bench.appEnv, NODE_ENV: "production" }, stdio: ["ignore", "ignore", "inherit"] });
      child.on("exit", (c) => resolve(c ?? 1));
    });
    if (code !== 0) throw new Error("next build failed");
  }
  // The API's per-key rate limit (120/min by default) would answer most of the load with 429.
  const server = await startNextServer({ ...bench.appEnv, DB_POOL_MAX: "10", API_KEY_RATE_LIMIT_PER_MINUTE: "100000" }, log);
  try {
    const cookie = { cookie: await signIn(server.baseUrl, "alice@acme.test", "demo-password") };
    const first = await get(server.baseUrl, "/conversations", cookie);
    if (first.status !== 200) throw new Error(`/conversations answered ${first.status} after sign-in`);
    const detail = /href="(\/conversations\/[0-9a-f-]{36})"/.exec(first.body)?.[1];
    if (!detail) throw new Error("no conversation link on /conversations: is the bench data set seeded?");
    const term = await searchTermOf(bench.ownerUrl, "acme-health");
    const { key } = await runJob<{ key: string }>({ kind: "api-key", tenantSlug: "acme-health" }, bench.appEnv);
    const targets: HttpTarget[] = [
      { name: "list", path: "/conversations", headers: cookie },
      { name: `search '${term}'`, path: `/conversations?q=${encodeURIComponent(term)}`, headers: cookie },
      { name: "detail (transcript)", path: detail, headers: cookie },
      { name: "API list (API key)", path: "/api/v1/conversations", headers: { authorization: `Bearer ${key}` } },
    ];
    for (const extra of values["http-paths"].split(",").filter(Boolean)) targets.push({ name: extra, path: extra, headers: cookie });
    for (const t of targets) {
      const res = await get(server.baseUrl, t.path, t.headers);
      if (res.status !== 200) throw new Error(`${t.path} answered ${res.status} before the HTTP run`);
    }
    const notes: string[] = [];

    const modes = ["signed", "unsigned"] as const;
    const httpRounds = positive("http-rounds", values["http-rounds"]);
    const slotMs = httpDurationMs / (httpRounds * targets.length);
    const runs = new Map<string, HttpRun[]>();
    for (let round = 0; round < httpRounds; round++) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        if (mode === "unsigned") await useUnsignedContext(bench.ownerUrl);
        else await restoreSignedContext(bench.ownerUrl, () => undefined);
        for (const t of targets) await load(server.baseUrl, t, httpConcurrency, 300); // warm after the swap
        for (const t of targets) {
          const key = `${mode}|${t.path}`;
          runs.set(key, [...(runs.get(key) ?? []), await load(server.baseUrl, t, httpConcurrency, slotMs)]);
        }
      }
      log(`  round ${round + 1}/${httpRounds} done`);
    }
    await restoreSignedContext(bench.ownerUrl, () => undefined);
    const measurements: HttpMeasurement[] = [];
    for (const mode of modes) for (const t of targets) measurements.push(toMeasurement(mode, t, runs.get(`${mode}|${t.path}`) ?? []));
    console.log(httpTable(measurements, ["signed", "unsigned"]));
    const mint = mintCostMicroseconds();
    log(`Minting a context token in Node (HMAC-SHA256): ${mint.toFixed(2)} µs per withTenant call.`);
    // Inside PostgreSQL: the context functions' calls and time per page, one client, the list page.
    const listPage = targets[0]!;
    const cost = await contextFunctionCost(bench.ownerUrl, async () => (await load(server.baseUrl, listPage, 1, 5000)).latencies.length);
    const listSigned = measurements.find((m) => m.mode === "signed" && m.target.path === listPage.path)!;
    log(
      `Signed context inside PostgreSQL, ${listPage.name} page: ${cost.callsPerRequest.toFixed(1)} verifications, ` +
        `${cost.microsecondsPerRequest.toFixed(0)} µs per request (${((cost.microsecondsPerRequest / 1000 / listSigned.summary.p50) * 100).toFixed(2)}% of its p50 under load) ` +
        `[${cost.functions.map((f) => `${f.name}: ${f.calls} calls, ${f.selfMs.toFixed(1)} ms`).join("; ")}]`,
    );
    for (const signed of measurements.filter((m) => m.mode === "signed")) {
      const unsigned = measurements.find((m) => m.mode === "unsigned" && m.target.path === signed.target.path)!;
      const cost = (signed.summary.p50 - unsigned.summary.p50) / unsigned.summary.p50;
      checks.push({ what: `HTTP ${signed.target.name}: signed context costs < 3% of p50`, ok: cost < 0.03, detail: `${(cost * 100).toFixed(1)}% (${signed.summary.p50.toFixed(2)} vs ${unsigned.summary.p50.toFixed(2)} ms)` });
    }
    return { concurrency: httpConcurrency, durationMs: httpDurationMs, rounds: httpRounds, targets: targets.map((t) => ({ name: t.name, path: t.path })), measurements, mintMicroseconds: mint, contextFunctionCost: cost, notes };
  } finally {
    server.stop();
  }
}

async function scalingPhase(bench: BenchDatabase) {
  const scaleDurationMs = positive("scale-duration", values["scale-duration"]) * 1000;
  const scaleVariants: VariantName[] = ["app-filter", "app-filter-tx", "with-tenant", "with-tenant-filter"];
  const scaleQueries: QueryName[] = ["list", "search", "search-absent"];
  const scaleRounds = 4;
  const rows: ScalingRow[] = [];
  const skipped: string[] = values.scale ? [] : optInScaleConfigs.map((o) => `${scaleLabel(o.config)}: ${o.why}`);
  for (const config of scaleConfigs) {
    let url: string;
    try {
      url = await ensureScaleDatabase(bench.ownerUrl, bench.secrets, config, log);
    } catch (error) {
      skipped.push(`${scaleLabel(config)}: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    await prewarm(url, () => undefined);
    log(`${scaleLabel(config)} …`);
    const measurements = await runJob<Measurement[]>(
      {
        kind: "measure",
        appFilterUrl: withDatabase(bench.appFilterUrl, new URL(url).pathname.slice(1)),
        conversationsPerTenant: 1,
        options: {
          variants: scaleVariants,
          queries: scaleQueries,
          concurrency: 1,
          rounds: scaleRounds,
          slotMs: scaleDurationMs / (scaleRounds * scaleQueries.length),
          warmupSlotMs: 200,
          seed: 42,
        },
      },
      { ...bench.appEnv, DATABASE_URL: url, DB_POOL_MAX: "1" },
    );
    for (const m of measurements) {
      rows.push({ label: scaleLabel(config), query: m.query, variant: m.variant, p50: m.summary.p50, p99: m.summary.p99, vsAppFilterTx: ratiosOf(measurements, m).vsAppFilterTx });
    }
  }
  console.log(scalingTable(rows));
  for (const s of skipped) log(`not run: ${s}`);
  return { configs: scaleConfigs, rows, notRun: skipped };
}
