import { createHmac } from "node:crypto";

/**
 * The signed tenant context: v1.<tenant uuid or empty>.<user uuid or empty>.<expiry, unix s>.<HMAC-SHA256 hex>.
 * PostgreSQL verifies it in app_private.verified_context() with the same key (installed by db:migrate).
 */
export interface ContextClaims {
  tenantId?: string;
  userId?: string;
}

export function mintContextToken(
  claims: ContextClaims,
  secret: string,
  ttlSeconds: number,
  nowMs = Date.now(),
): string {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const payload = `v1.${claims.tenantId ?? ""}.${claims.userId ?? ""}.${expiry}`;
  return `${payload}.${createHmac("sha256", secret).update(payload).digest("hex")}`;
}

/**
 * Tokens already minted, by claims: a request makes several transactions and each used to mint (an
 * HMAC in Node, ~10 µs, as much as a quarter of a trivial transaction's overhead). A token is reused
 * while at least half its lifetime is left, so every transaction still starts with ttl/2 or more.
 * Reuse grants nothing new: whoever can read a token from inside a transaction already has its tenant.
 */
const minted = new Map<string, { token: string; expiresMs: number; secret: string }>();
const maxCachedTokens = 10_000;

export function contextToken(claims: ContextClaims, secret: string, ttlSeconds: number, nowMs = Date.now()): string {
  const key = `${claims.tenantId ?? ""}.${claims.userId ?? ""}.${ttlSeconds}`;
  const cached = minted.get(key);
  if (cached && cached.secret === secret && cached.expiresMs - nowMs >= (ttlSeconds * 1000) / 2) return cached.token;
  if (minted.size >= maxCachedTokens) minted.clear();
  const token = mintContextToken(claims, secret, ttlSeconds, nowMs);
  minted.set(key, { token, secret, expiresMs: (Math.floor(nowMs / 1000) + ttlSeconds) * 1000 });
  return token;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: unknown): value is string {
  return typeof value === "string" && UUID.test(value);
}

export class InvalidTenantIdError extends Error {
  constructor(what: string, value: unknown) {
    super(`${what} must be a UUID, got ${JSON.stringify(value)?.slice(0, 60) ?? String(value)}`);
    this.name = "InvalidTenantIdError";
  }
}
