import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { startEmbedded, type EmbeddedServer } from "./embedded";

/**
 * Local development without set-up: secrets generated once into .data/secrets.json, and an
 * embedded PostgreSQL under .data/pg when DATABASE_URL is not set.
 */
export const dataDir = path.join(process.cwd(), ".data");
const secretsFile = path.join(dataDir, "secrets.json");
export const embeddedPort = Number(process.env.EMBEDDED_PG_PORT ?? 54329);

interface DevSecrets {
  postgresPassword: string;
  tenantContextSecret: string;
  authSecret: string;
}

export function devSecrets(): DevSecrets {
  if (existsSync(secretsFile)) return JSON.parse(readFileSync(secretsFile, "utf8")) as DevSecrets;
  mkdirSync(dataDir, { recursive: true, mode: 0o755 });
  const secrets: DevSecrets = {
    postgresPassword: randomBytes(18).toString("base64url"),
    tenantContextSecret: randomBytes(32).toString("base64url"),
    authSecret: randomBytes(32).toString("base64url"),
  };
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

/** Fills in development defaults for what the environment does not set. */
export function applyDevDefaults(): DevSecrets {
  if (process.env.NODE_ENV === "production") {
    throw new Error("Production does not generate secrets: set TENANT_CONTEXT_SECRET, AUTH_SECRET and DATABASE_URL.");
  }
  const secrets = devSecrets();
  process.env.TENANT_CONTEXT_SECRET ??= secrets.tenantContextSecret;
  process.env.AUTH_SECRET ??= secrets.authSecret;
  return secrets;
}

export function embeddedOwnerUrl(password: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${embeddedPort}/app`;
}

/** Uses DATABASE_URL when set; otherwise starts the embedded server and points DATABASE_URL at it. */
export async function ensureDatabase(secrets: DevSecrets): Promise<EmbeddedServer | undefined> {
  if (process.env.DATABASE_URL) return undefined;
  const server = await startEmbedded({
    dataDir: path.join(dataDir, "pg"),
    port: embeddedPort,
    password: secrets.postgresPassword,
  });
  process.env.DATABASE_URL = server.url;
  return server;
}

export function loadDotEnv(): void {
  for (const file of [".env.local", ".env"]) {
    if (existsSync(file)) process.loadEnvFile(file);
  }
}
