/**
 * A token bucket per API key, in this server process: `perMinute` requests may arrive at once, then
 * they refill at perMinute/60 per second. Behind several server processes each keeps its own buckets,
 * so the effective limit is per process; a shared store (Redis, PostgreSQL) would be the next step.
 */
interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until one request is allowed again (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

const maxTrackedKeys = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute: number) {}

  take(id: string, nowMs = Date.now()): RateDecision {
    const ratePerMs = this.perMinute / 60_000;
    const previous = this.buckets.get(id);
    const tokens = previous
      ? Math.min(this.perMinute, previous.tokens + (nowMs - previous.updatedMs) * ratePerMs)
      : this.perMinute;
    if (tokens < 1) {
      this.buckets.set(id, { tokens, updatedMs: nowMs });
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((1 - tokens) / ratePerMs / 1000)),
        remaining: 0,
      };
    }
    if (!previous && this.buckets.size >= maxTrackedKeys) this.forgetFullBuckets(nowMs);
    this.buckets.set(id, { tokens: tokens - 1, updatedMs: nowMs });
    return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(tokens - 1) };
  }

  private forgetFullBuckets(nowMs: number): void {
    const refillMs = 60_000;
    for (const [id, bucket] of this.buckets) if (nowMs - bucket.updatedMs >= refillMs) this.buckets.delete(id);
  }
}
