import { createHash, randomBytes } from "node:crypto";

/**
 * API keys: `rls_live_` + 43 base64url characters (256 random bits). Only the SHA-256 of the whole key
 * is stored; with that much entropy a fast hash is enough (nothing to brute-force). The recognisable
 * prefix lets secret scanners and people spot a leaked key; the first 16 characters are kept for display.
 */
export const apiKeyPrefix = "rls_live_";
const keyPattern = /^rls_live_[A-Za-z0-9_-]{43}$/;
const displayLength = 16;

export interface NewApiKeySecret {
  key: string;
  prefix: string;
  secretHash: string;
}

export function hashApiKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

export function generateApiKey(): NewApiKeySecret {
  const key = `${apiKeyPrefix}${randomBytes(32).toString("base64url")}`;
  return { key, prefix: key.slice(0, displayLength), secretHash: hashApiKey(key) };
}

export function isWellFormedApiKey(value: string): boolean {
  return keyPattern.test(value);
}

/** The key from `Authorization: Bearer <key>`, or null when the header is absent or not a bearer token. */
export function bearerToken(header: string | null): string | null {
  const match = header ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header) : null;
  return match?.[1] ?? null;
}
