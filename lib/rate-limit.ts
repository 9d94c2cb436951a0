import type { RateDecision } from "@/db";
import { env } from "@/lib/env";
import { jsonError } from "@/lib/http/json";

/**
 * Rate limits live in PostgreSQL (app_private.rate_buckets, drizzle/0016), so every server instance
 * spends from the same token buckets, atomically. A bucket holds `perMinute` units, refilled at
 * perMinute/60 per second; a request spends `cost` units (1 for an ordinary request, one per tool
 * call for an MCP batch). The API key's bucket is spent by the same call that resolves the
 * key (db/api-keys.ts): no round trip of its own.
 */
export type { RateDecision };

/** The API-key limit for a request that costs `cost` units. */
export function apiKeyLimit(cost = 1): { perMinute: number; cost: number } {
  return { perMinute: env().API_KEY_RATE_LIMIT_PER_MINUTE, cost: Math.max(1, Math.ceil(cost)) };
}

/** 429 JSON with Retry-After. */
export function rateLimited(decision: RateDecision, what: string, cost = 1): Response {
  const retry = decision.retryAfterSeconds;
  return jsonError(
    429,
    "rate_limited",
    cost === 1
      ? `Too many requests for ${what}; retry in ${retry} s.`
      : `This request costs ${cost} calls and ${what} has ${decision.remaining} left; retry in ${retry} s.`,
    { retryAfterSeconds: retry, ...(cost === 1 ? {} : { cost, remaining: decision.remaining }) },
    { "Retry-After": String(retry) },
  );
}
