import { createHmac } from "node:crypto";

/**
 * The signed tenant context: v1.<tenant uuid or empty>.<user uuid or empty>.<expiry, unix s>.<HMAC-SHA256 hex>.
 * PostgreSQL verifies it in app_private.verified_context() with the same key (installed by db:migrate).
 */
export interface ContextClaims {
  tenantId?: string;
  userId?: string;
}

export function mintContextToken(claims: ContextClaims, secret: string, ttlSeconds: number, nowMs = Date.now()): string {
  const expiry = Math.floor(nowMs / 1000) + ttlSeconds;
  const payload = `v1.${claims.tenantId ?? ""}.${claims.userId ?? ""}.${expiry}`;
  return `${payload}.${createHmac("sha256", secret).update(payload).digest("hex")}`;
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
