import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { startEmbedded, type EmbeddedServer } from "@/db/embedded";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed/seed";
import { dbEnv } from "@/db/env";

/**
 * The benchmark's own embedded cluster under .data/bench (never the development database): migrated
 * like production, seeded once per data-set size and reused while the size matches, plus one
 * bench-only role with BYPASSRLS for the "app filter" variants.
 */
/** BENCH_DIR: another cluster directory (e.g. a small data set to try the harness on); BENCH_PG_PORT with it. */
export const benchDir = process.env.BENCH_DIR
  ? path.resolve(process.env.BENCH_DIR)
  : path.join(process.cwd(), ".data", "bench");
const secretsFile = path.join(benchDir, "secrets.json");
const datasetFile = path.join(benchDir, "dataset.json");

/** The BYPASSRLS role the "app filter" variants connect as: the same tables, without the policies. */
export const appFilterRole = "bench_app_filter";

export interface BenchSecrets {
  postgresPassword: string;
  tenantContextSecret: string;
  authSecret: string;
  appFilterPassword: string;
}

export interface Dataset {
  tenants: number;
  conversationsPerTenant: number;
}

export interface BenchDatabase {
  ownerUrl: string;
  appFilterUrl: string;
  secrets: BenchSecrets;
  /** The environment a child process needs to run the real app code (withTenant, next start) on it. */
  appEnv: Record<string, string>;
  stop(): Promise<void>;
}

export function benchSecrets(): BenchSecrets {
  if (existsSync(secretsFile)) return JSON.parse(readFileSync(secretsFile, "utf8")) as BenchSecrets;
  mkdirSync(benchDir, { recursive: true, mode: 0o755 });
  const secrets: BenchSecrets = {
    postgresPassword: randomBytes(18).toString("base64url"),
    tenantContextSecret: randomBytes(32).toString("base64url"),
    authSecret: randomBytes(32).toString("base64url"),
    appFilterPassword: randomBytes(18).toString("base64url"),
  };
  writeFileSync(secretsFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function withRole(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

/** Server settings of the bench cluster: enough cache for the default data set, durable but async commits. */
export const benchServerSettings: Record<string, string> = {
  shared_buffers: "1GB",
  // Commits are flushed by the WAL writer a moment later: the benchmark measures the CPU and the
  // protocol cost of isolation, not the disk of a shared machine (an fsync per insert would dwarf it).
  synchronous_commit: "off",
  max_connections: "300",
  jit: "off",
  // Counts calls and time of the context functions (pg_stat_user_functions): what the signed context
  // costs per page, measured inside PostgreSQL rather than inferred from noisy end-to-end timings.
  track_functions: "all",
};

export async function startBenchCluster(
  log: (line: string) => void,
): Promise<{ server: EmbeddedServer; secrets: BenchSecrets }> {
  const secrets = benchSecrets();
  const port = Number(process.env.BENCH_PG_PORT ?? 54339);
  log(`Benchmark cluster: ${path.join(benchDir, "pg")} on port ${port} (BENCH_PG_PORT).`);
  const server = await startEmbedded({
    dataDir: path.join(benchDir, "pg"),
    port,
    password: secrets.postgresPassword,
    settings: benchServerSettings,
    log,
  });
  return { server, secrets };
}

/** Environment for the app code (dbEnv(), withTenant) pointed at one database of the bench cluster. */
export function appEnvFor(ownerUrl: string, secrets: BenchSecrets): Record<string, string> {
  return {
    DATABASE_URL: ownerUrl,
    TENANT_CONTEXT_SECRET: secrets.tenantContextSecret,
    AUTH_SECRET: secrets.authSecret,
  };
}

/** Migrates one database of the bench cluster and installs the bench-only BYPASSRLS role and extensions. */
export async function prepareDatabase(
  ownerUrl: string,
  secrets: BenchSecrets,
  log: (line: string) => void,
): Promise<void> {
  Object.assign(process.env, appEnvFor(ownerUrl, secrets));
  await migrateDatabase({ ...dbEnv(), DATABASE_URL: ownerUrl }, log);
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    await owner.unsafe(`
      do $$ begin
        if not exists (select from pg_roles where rolname = '${appFilterRole}') then
          create role ${appFilterRole} login bypassrls nosuperuser noinherit;
        end if;
      end $$;
      grant usage on schema public, app to ${appFilterRole};
      grant select on tenants to ${appFilterRole};
      grant select on agents to ${appFilterRole};
      -- update: the search triggers (drizzle/0005) run with the caller's rights and rewrite
      -- conversations.search when turns are inserted.
      grant select, insert, update on conversations, conversation_turns to ${appFilterRole};
      create extension if not exists pg_prewarm with schema extensions;
    `);
    // ALTER ROLE takes no bind parameter: the password goes through a setting, quoted by format(%L).
    await owner.begin(async (tx) => {
      await tx`select set_config('bench.password', ${secrets.appFilterPassword}, true)`;
      await tx.unsafe(
        `do $$ begin execute format('alter role ${appFilterRole} password %L', current_setting('bench.password')); end $$`,
      );
    });
  } finally {
    await owner.end();
  }
}

function recordedDataset(): Dataset | null {
  return existsSync(datasetFile) ? (JSON.parse(readFileSync(datasetFile, "utf8")) as Dataset) : null;
}

/** Seeds the default bench database unless it already holds exactly this data set. */
export async function ensureDataset(ownerUrl: string, wanted: Dataset, log: (line: string) => void): Promise<void> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const recorded = recordedDataset();
    const [row] = await owner<{ tenants: number }[]>`select count(*)::int as tenants from tenants`;
    if (
      recorded?.tenants === wanted.tenants &&
      recorded.conversationsPerTenant === wanted.conversationsPerTenant &&
      row?.tenants === wanted.tenants
    ) {
      log(`Reusing the bench data set: ${wanted.tenants} tenants x ${wanted.conversationsPerTenant} conversations.`);
      return;
    }
    log(
      `Seeding ${wanted.tenants} tenants x ${wanted.conversationsPerTenant} conversations (once; reused by later runs) …`,
    );
    const t0 = Date.now();
    await seedDatabase(ownerUrl, {
      tenants: wanted.tenants,
      conversationsPerTenant: wanted.conversationsPerTenant,
      reset: true,
      log,
    });
    log("vacuum analyze (visibility map for index-only scans, fresh statistics) …");
    await owner`vacuum analyze`;
    writeFileSync(datasetFile, JSON.stringify(wanted, null, 2));
    log(`Seeded in ${((Date.now() - t0) / 1000).toFixed(0)} s.`);
  } finally {
    await owner.end();
  }
}

export interface DatabaseSize {
  conversations: number;
  turns: number;
  tenants: number;
  bytes: string;
}

export async function databaseSize(ownerUrl: string): Promise<DatabaseSize> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const [row] = await owner<DatabaseSize[]>`
      select (select count(*)::int from tenants) as tenants,
             (select reltuples::bigint from pg_class where oid = 'conversations'::regclass) as conversations,
             (select reltuples::bigint from pg_class where oid = 'conversation_turns'::regclass) as turns,
             pg_size_pretty(pg_database_size(current_database())) as bytes`;
    return { ...row!, conversations: Number(row!.conversations), turns: Number(row!.turns) };
  } finally {
    await owner.end();
  }
}

/** Loads the hot relations into shared buffers so the first variant measured does not pay for the cache. */
export async function prewarm(ownerUrl: string, log: (line: string) => void): Promise<void> {
  const owner = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  try {
    const rows = await owner<{ relname: string; blocks: number }[]>`
      select c.relname, extensions.pg_prewarm(c.oid)::int as blocks
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind in ('r', 'i')
        and (c.relname like 'conversations%' or c.relname like 'agents%' or c.relname like 'tenants%'
             or c.relname = 'conversation_turns_pkey')
      order by c.relname`;
    log(`Prewarmed ${rows.reduce((n, r) => n + r.blocks, 0)} blocks (${rows.map((r) => r.relname).join(", ")}).`);
  } finally {
    await owner.end();
  }
}

export async function openBenchDatabase(wanted: Dataset, log: (line: string) => void): Promise<BenchDatabase> {
  const { server, secrets } = await startBenchCluster(log);
  try {
    await prepareDatabase(server.url, secrets, log);
    await ensureDataset(server.url, wanted, log);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    ownerUrl: server.url,
    appFilterUrl: withRole(server.url, appFilterRole, secrets.appFilterPassword),
    secrets,
    appEnv: appEnvFor(server.url, secrets),
    stop: () => server.stop(),
  };
}
