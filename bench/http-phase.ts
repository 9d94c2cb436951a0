import { spawn } from "node:child_process";
import { mintContextToken } from "@/db/context-token";
import type { BenchDatabase } from "./database";
import {
  get,
  load,
  signIn,
  startNextServer,
  toMeasurement,
  type HttpMeasurement,
  type HttpRun,
  type HttpTarget,
} from "./http";
import { backendsCpuMs, postmasterPid, processGroupCpuMs } from "./cpu";
import { answerSizes, besideTheirFloors, dataDirectory, floorPagesEnv, floorRatios, floorTargets } from "./floors";
import { cpuTable, httpTable, type Check } from "./report";
import { runJob } from "./run-job";
import { searchDatabaseTime } from "./search-time";
import { contextFunctionCost, restoreSignedContext, useUnsignedContext } from "./unsigned-context";
import { searchTermOf } from "./workload";

/**
 * The HTTP phase: the real pages and the API under load against `next start` on the bench database,
 * in alternating rounds with the signed context and with the plain unsigned setting.
 */
export interface HttpPhaseOptions {
  concurrency: number;
  durationMs: number;
  rounds: number;
  build: boolean;
  extraPaths: string[];
}

function mintCostMicroseconds(): number {
  const n = 50_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++)
    mintContextToken(
      { tenantId: "8a7f0a8e-2f4c-4b7e-9d43-0d3f1d7c9b21", userId: "0f8e2c7a-1b3d-4e5f-8a9b-0c1d2e3f4a5b" },
      "a".repeat(43),
      30,
    );
  return ((performance.now() - t0) / n) * 1000;
}

export async function httpPhase(
  bench: BenchDatabase,
  options: HttpPhaseOptions,
  log: (line: string) => void,
  checks: Check[],
) {
  const { concurrency: httpConcurrency, durationMs: httpDurationMs, rounds: httpRounds } = options;
  if (options.build) {
    log("npm run build (production: next build, standalone server) …");
    const code = await new Promise<number>((resolve) => {
      const child = spawn("npm", ["run", "--silent", "build"], {
        env: { ...process.env, ...bench.appEnv, ...floorPagesEnv, NODE_ENV: "production" },
        stdio: ["ignore", "ignore", "inherit"],
      });
      child.on("exit", (c) => resolve(c ?? 1));
    });
    if (code !== 0) throw new Error("npm run build failed");
  }
  // The API's per-key rate limit (120/min by default) would answer most of the load with 429.
  const server = await startNextServer(
    { ...bench.appEnv, ...floorPagesEnv, DB_POOL_MAX: "10", API_KEY_RATE_LIMIT_PER_MINUTE: "100000" },
    log,
  );
  const postgresPid = postmasterPid(await dataDirectory(bench.ownerUrl));
  try {
    const cookie = { cookie: await signIn(server.baseUrl, "alice@acme.test", "demo-password") };
    const first = await get(server.baseUrl, "/conversations", cookie);
    if (first.status !== 200) throw new Error(`/conversations answered ${first.status} after sign-in`);
    const detail = /href="(\/conversations\/[0-9a-f-]{36})"/.exec(first.body)?.[1];
    if (!detail) throw new Error("no conversation link on /conversations: is the bench data set seeded?");
    const term = await searchTermOf(bench.ownerUrl, "acme-health");
    const { key } = await runJob<{ key: string }>({ kind: "api-key", tenantSlug: "acme-health" }, bench.appEnv);
    const search = `?q=${encodeURIComponent(term)}`;
    const floor = floorTargets(cookie, { search, detail });
    const listPage: HttpTarget = { name: "list", path: "/conversations", headers: cookie };
    const searchPage: HttpTarget = { name: `search '${term}'`, path: `/conversations${search}`, headers: cookie };
    const targets: HttpTarget[] = besideTheirFloors(
      [
        listPage,
        searchPage,
        { name: "detail (transcript)", path: detail, headers: cookie },
        { name: "overview", path: "/overview", headers: cookie },
        { name: "API list (API key)", path: "/api/v1/conversations", headers: { authorization: `Bearer ${key}` } },
        ...floor.targets,
      ],
      floor.pairs,
    );
    for (const extra of options.extraPaths) targets.push({ name: extra, path: extra, headers: cookie });
    for (const t of targets) {
      const res = await get(server.baseUrl, t.path, t.headers);
      if (res.status !== 200) {
        throw new Error(
          `${t.path} answered ${res.status} before the HTTP run` +
            (t.path.startsWith("/bench-floor/")
              ? " (floor pages need a build with BENCH_FLOOR_PAGES=1: drop --no-build)"
              : ""),
        );
      }
    }
    const sizes = await answerSizes(server.baseUrl, targets);
    const notes: string[] = [];

    const modes = ["signed", "unsigned"] as const;
    const slotMs = httpDurationMs / (httpRounds * targets.length);
    const runs = new Map<string, HttpRun[]>();
    for (let round = 0; round < httpRounds; round++) {
      for (const mode of round % 2 === 0 ? modes : [...modes].reverse()) {
        if (mode === "unsigned") await useUnsignedContext(bench.ownerUrl);
        else await restoreSignedContext(bench.ownerUrl, () => undefined);
        for (const t of targets) await load(server.baseUrl, t, httpConcurrency, 300); // warm after the swap
        for (const t of round % 2 === 0 ? targets : [...targets].reverse()) {
          const key = `${mode}|${t.path}`;
          const server0 = processGroupCpuMs(server.processGroup);
          const postgres0 = backendsCpuMs(postgresPid, "app_user");
          const run = await load(server.baseUrl, t, httpConcurrency, slotMs);
          run.serverCpuMs = processGroupCpuMs(server.processGroup) - server0;
          run.postgresCpuMs = backendsCpuMs(postgresPid, "app_user") - postgres0;
          runs.set(key, [...(runs.get(key) ?? []), run]);
        }
      }
      log(`  round ${round + 1}/${httpRounds} done`);
    }
    await restoreSignedContext(bench.ownerUrl, () => undefined);
    const measurements: HttpMeasurement[] = [];
    for (const mode of modes)
      for (const t of targets) measurements.push(toMeasurement(mode, t, runs.get(`${mode}|${t.path}`) ?? []));
    console.log(httpTable(measurements, ["signed", "unsigned"]));
    const floors = floorRatios(measurements, floor.pairs);
    console.log(cpuTable(measurements, floors, sizes));
    for (const f of floors) {
      checks.push({
        what: `HTTP ${f.page}: server CPU per request ≤ ${f.limit}x its floor (${f.floor}), round by round`,
        ok: f.ratio <= f.limit,
        detail:
          `${f.ratio.toFixed(2)}x, median of the rounds (${f.roundRatios.map((r) => r.toFixed(2)).join(", ")}); ` +
          `whole run ${f.wholeRunRatio.toFixed(2)}x (${f.pageCpuMs.toFixed(1)} vs ${f.floorCpuMs.toFixed(1)} ms)`,
      });
    }
    const searchSigned = measurements.find((m) => m.mode === "signed" && m.target.path === searchPage.path);
    if (searchSigned?.postgresCpuMs !== undefined) {
      checks.push({
        what: `HTTP ${searchSigned.target.name}: PostgreSQL CPU per request ≤ 3 ms`,
        ok: searchSigned.postgresCpuMs <= 3,
        detail: `${searchSigned.postgresCpuMs.toFixed(2)} ms`,
      });
    }
    const mint = mintCostMicroseconds();
    log(`Minting a context token in Node (HMAC-SHA256): ${mint.toFixed(2)} µs per withTenant call.`);
    // Inside PostgreSQL: the context functions' calls and time per page, one client, the list page.
    const cost = await contextFunctionCost(
      bench.ownerUrl,
      async () => (await load(server.baseUrl, listPage, 1, 5000)).latencies.length,
    );
    const listSigned = measurements.find((m) => m.mode === "signed" && m.target.path === listPage.path)!;
    log(
      `Signed context inside PostgreSQL, ${listPage.name} page: ${cost.callsPerRequest.toFixed(1)} verifications, ` +
        `${cost.microsecondsPerRequest.toFixed(0)} µs per request (${((cost.microsecondsPerRequest / 1000 / listSigned.summary.p50) * 100).toFixed(2)}% of its p50 under load) ` +
        `[${cost.functions.map((f) => `${f.name}: ${f.calls} calls, ${f.selfMs.toFixed(1)} ms`).join("; ")}]`,
    );
    const searchTime = await searchDatabaseTime(bench.ownerUrl, postgresPid, "acme-health", term);
    log(
      `PostgreSQL CPU of the search page's statements ('${term}', ${searchTime.calls} calls, no HTTP): ` +
        `${searchTime.pageMs.toFixed(2)} ms as the page reads them; ${searchTime.withTranscriptExcerptsMs.toFixed(2)} ms with excerpts of the 50 transcripts`,
    );
    checks.push({
      what: "search page's statements: PostgreSQL CPU per request ≤ 3 ms",
      ok: searchTime.pageMs <= 3,
      detail: `${searchTime.pageMs.toFixed(2)} ms (with transcript excerpts: ${searchTime.withTranscriptExcerptsMs.toFixed(2)} ms)`,
    });
    for (const signed of measurements.filter((m) => m.mode === "signed")) {
      const unsigned = measurements.find((m) => m.mode === "unsigned" && m.target.path === signed.target.path)!;
      const cost = (signed.summary.p50 - unsigned.summary.p50) / unsigned.summary.p50;
      checks.push({
        what: `HTTP ${signed.target.name}: signed context costs < 3% of p50`,
        ok: cost < 0.03,
        detail: `${(cost * 100).toFixed(1)}% (${signed.summary.p50.toFixed(2)} vs ${unsigned.summary.p50.toFixed(2)} ms)`,
      });
    }
    return {
      concurrency: httpConcurrency,
      durationMs: httpDurationMs,
      rounds: httpRounds,
      targets: targets.map((t) => ({ name: t.name, path: t.path })),
      measurements,
      floors,
      sizes,
      searchTime,
      mintMicroseconds: mint,
      contextFunctionCost: cost,
      notes,
    };
  } finally {
    server.stop();
  }
}
