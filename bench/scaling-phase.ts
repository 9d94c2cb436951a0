import { prewarm, withDatabase, type BenchDatabase } from "./database";
import type { Measurement } from "./measure";
import type { QueryName } from "./queries";
import { ratiosOf, scalingTable, type ScalingRow } from "./report";
import { runJob } from "./run-job";
import { ensureScaleDatabase, optInScaleConfigs, scaleLabel, type ScaleConfig } from "./scaling";
import type { VariantName } from "./variants";

/** The scaling phase: list and search on each (rows, tenants) data set, one connection per variant. */
export interface ScalingPhaseOptions {
  configs: ScaleConfig[];
  durationMs: number;
  /** Data sets named by --scale: the opt-in ones are then not reported as not run. */
  explicit: boolean;
}

export async function scalingPhase(bench: BenchDatabase, options: ScalingPhaseOptions, log: (line: string) => void) {
  const { configs: scaleConfigs, durationMs: scaleDurationMs } = options;
  const scaleVariants: VariantName[] = ["app-filter", "app-filter-tx", "with-tenant", "with-tenant-filter"];
  const scaleQueries: QueryName[] = ["list", "search", "search-absent"];
  const scaleRounds = 4;
  const rows: ScalingRow[] = [];
  const skipped: string[] = options.explicit ? [] : optInScaleConfigs.map((o) => `${scaleLabel(o.config)}: ${o.why}`);
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
      rows.push({
        label: scaleLabel(config),
        query: m.query,
        variant: m.variant,
        p50: m.summary.p50,
        p99: m.summary.p99,
        vsAppFilterTx: ratiosOf(measurements, m).vsAppFilterTx,
      });
    }
  }
  console.log(scalingTable(rows));
  for (const s of skipped) log(`not run: ${s}`);
  return { configs: scaleConfigs, rows, notRun: skipped };
}
