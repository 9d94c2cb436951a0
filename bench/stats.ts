/** Latency summaries. Percentiles by linear interpolation between the closest ranks. */
export interface LatencySummary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
  /** Operations per second (how it was derived is the caller's: see bench/measure.ts, bench/http.ts). */
  throughput: number;
}

export function percentile(sorted: Float64Array | number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = (p / 100) * (sorted.length - 1);
  const low = Math.floor(rank);
  const high = Math.ceil(rank);
  return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
}

/** The middle value (the mean of the two middle ones for an even count); NaN for none. */
export function median(values: number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    50,
  );
}

/** Percentiles of the latencies; throughput as operations per second, or derived from `concurrency` / mean. */
export function summarize(latenciesMs: number[], throughput: number | { concurrency: number }): LatencySummary {
  const sorted = Float64Array.from(latenciesMs).sort();
  const sum = latenciesMs.reduce((a, b) => a + b, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    mean: sorted.length ? sum / sorted.length : Number.NaN,
    throughput:
      typeof throughput === "number"
        ? throughput
        : sorted.length
          ? (throughput.concurrency * 1000 * sorted.length) / sum
          : Number.NaN,
  };
}
