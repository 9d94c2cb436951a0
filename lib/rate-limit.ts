/**
 * A token bucket per API key, in this server process: `perMinute` units may be spent at once, then
 * they refill at perMinute/60 per second. A request costs 1, an MCP batch one per tool call, so a
 * batch of 100 calls spends as much as 100 requests. Behind several server processes each keeps its own buckets,
 * so the effective limit is per process; a shared store (Redis, PostgreSQL) would be the next step.
 */
interface Bucket {
  tokens: number;
  updatedMs: number;
}

export interface RateDecision {
  allowed: boolean;
  /** Seconds until the same cost is allowed again (0 when allowed). */
  retryAfterSeconds: number;
  remaining: number;
}

const maxTrackedKeys = 10_000;

export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly perMinute: number) {}

  /** Spends `cost` units of the key's bucket, or none when it holds fewer (all or nothing). */
  take(id: string, cost = 1, nowMs = Date.now()): RateDecision {
    const ratePerMs = this.perMinute / 60_000;
    const previous = this.buckets.get(id);
    const tokens = previous
      ? Math.min(this.perMinute, previous.tokens + (nowMs - previous.updatedMs) * ratePerMs)
      : this.perMinute;
    if (tokens < cost) {
      this.buckets.set(id, { tokens, updatedMs: nowMs });
      // A cost above the bucket's size never fits: the retry hint is for a full bucket.
      const missing = Math.min(cost, this.perMinute) - tokens;
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil(missing / ratePerMs / 1000)),
        remaining: Math.floor(tokens),
      };
    }
    if (!previous && this.buckets.size >= maxTrackedKeys) this.forgetFullBuckets(nowMs);
    this.buckets.set(id, { tokens: tokens - cost, updatedMs: nowMs });
    return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(tokens - cost) };
  }

  private forgetFullBuckets(nowMs: number): void {
    const refillMs = 60_000;
    for (const [id, bucket] of this.buckets) if (nowMs - bucket.updatedMs >= refillMs) this.buckets.delete(id);
  }
}
