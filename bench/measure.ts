import { benchQueries, type QueryName } from "./queries";
import { summarize, type LatencySummary } from "./stats";
import type { VariantName, Variants } from "./variants";
import { drawParams, seededRandom, type Workload } from "./workload";

/**
 * The side-by-side measurement. For each query in turn, `concurrency` workers run operations back to
 * back, the variants taking turns (each once per turn, in a random order), so consecutive operations of
 * the variants are milliseconds apart: a noisy neighbour on a shared machine, a checkpoint or a cache
 * warming up lands on all of them alike. A round runs every query for `slotMs`; rounds repeat.
 * Throughput at this concurrency follows from the latencies (Little's law: concurrency / mean).
 */
export interface MeasureOptions {
  variants: VariantName[];
  queries: QueryName[];
  concurrency: number;
  rounds: number;
  slotMs: number;
  warmupSlotMs: number;
  seed: number;
}

export interface Measurement {
  variant: VariantName;
  query: QueryName;
  summary: LatencySummary;
  errors: number;
  firstError?: string;
}

interface Accumulator {
  latencies: number[];
  errors: number;
  firstError?: string;
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const describeError = (error: unknown) =>
  error instanceof Error
    ? `${error.message.split("\n")[0]}${error.cause instanceof Error ? ` <- ${error.cause.message}` : ""}`
    : String(error);

export async function measure(
  variants: Variants,
  workload: Workload,
  options: MeasureOptions,
  log: (line: string) => void,
): Promise<Measurement[]> {
  const random = seededRandom(options.seed);
  const accumulators = new Map<string, Accumulator>();
  const key = (v: VariantName, q: QueryName) => `${v}/${q}`;
  for (const v of options.variants)
    for (const q of options.queries) accumulators.set(key(v, q), { latencies: [], errors: 0 });

  async function slot(query: QueryName, ms: number, record: boolean): Promise<void> {
    const deadline = performance.now() + ms;
    const worker = async () => {
      let turn: VariantName[] = [];
      while (performance.now() < deadline) {
        // Every variant once per turn, in a new random order each turn: the one that runs right
        // after another pool's connection (colder caches, another backend) is not always the same.
        if (turn.length === 0) turn = shuffled(options.variants, random);
        const variant = turn.pop()!;
        const into = accumulators.get(key(variant, query))!;
        const params = drawParams(workload, random);
        const t0 = performance.now();
        try {
          await variants.run[variant](benchQueries[query], params);
          if (record) into.latencies.push(performance.now() - t0);
        } catch (error) {
          if (record) {
            into.errors++;
            into.firstError ??= describeError(error);
          }
        }
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  }

  // Warm-up: statements prepared on every pooled connection, plans cached, pages in cache.
  for (const q of options.queries) await slot(q, options.warmupSlotMs, false);
  for (let round = 0; round < options.rounds; round++) {
    for (const q of options.queries) await slot(q, options.slotMs, true);
    log(`  round ${round + 1}/${options.rounds} done`);
  }

  return [...accumulators.entries()].map(([k, acc]) => {
    const [variant, query] = k.split("/") as [VariantName, QueryName];
    return {
      variant,
      query,
      summary: summarize(acc.latencies, { concurrency: options.concurrency }),
      errors: acc.errors,
      firstError: acc.firstError,
    };
  });
}
