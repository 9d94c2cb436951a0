import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./servers";

/**
 * A real PgBouncer (the Debian package) in transaction pooling mode, started for a test and stopped
 * after it, with the pooling settings of deploy/pgbouncer-pooling.ini (the file docker-compose.yml's
 * PgBouncer uses too). Each database alias gets its own server pool of `poolSize` connections to the upstream
 * PostgreSQL, shared by every client of that alias: transactions of different clients take turns
 * on the same server connections, which is what makes session state leak.
 */
export const pgbouncerBinary = process.env.PGBOUNCER_PATH ?? "/usr/sbin/pgbouncer";

export interface PgBouncerAlias {
  /** Name clients connect to. */
  alias: string;
  /** Database on the upstream server. */
  dbname: string;
  /** Server connections for this alias. */
  poolSize: number;
}

export interface PgBouncerOptions {
  upstream: { host: string; port: number };
  aliases: PgBouncerAlias[];
  /** Login roles and their passwords: PgBouncer checks clients with them and logs in upstream with them. */
  users: Record<string, string>;
  /** Listen on this port (a restart keeps its clients' URL); a free one when unset. */
  port?: number;
  /** More [pgbouncer] settings, e.g. the timeouts a fault test needs. */
  settings?: Record<string, string>;
}

export interface PgBouncer {
  version: string;
  port: number;
  url(alias: string, user: string): string;
  stop(): Promise<void>;
}

export function pgbouncerVersion(): string {
  if (!existsSync(pgbouncerBinary)) {
    throw new Error(
      `PgBouncer not found at ${pgbouncerBinary}: install it (Debian: apt-get install pgbouncer) or set PGBOUNCER_PATH.`,
    );
  }
  const out = execFileSync(pgbouncerBinary, ["--version"], { encoding: "utf8" });
  const match = /PgBouncer (\d+\.\d+(?:\.\d+)?)/.exec(out);
  if (!match) throw new Error(`Unexpected output from ${pgbouncerBinary} --version: ${out}`);
  return match[1]!;
}

/** PgBouncer keeps protocol-level prepared statements working in transaction mode from 1.21 (max_prepared_statements). */
export function supportsPreparedStatements(version: string): boolean {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  return major > 1 || (major === 1 && minor >= 21);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port }, () => (socket.end(), resolve(true)));
    socket.on("error", () => resolve(false));
  });
}

// PgBouncer's config syntax: values are plain text; quote auth-file fields with doubled quotes.
const authLine = (user: string, password: string) =>
  `"${user.replace(/"/g, '""')}" "${password.replace(/"/g, '""')}"\n`;

/** The shared pooling settings; the test only adds where to listen, the users file and the databases. */
export const poolingSettingsFile = path.join(process.cwd(), "deploy/pgbouncer-pooling.ini");

function poolingSettings(): string {
  const text = readFileSync(poolingSettingsFile, "utf8");
  if (!/^pool_mode = transaction$/m.test(text))
    throw new Error(`${poolingSettingsFile} must set pool_mode = transaction`);
  return text;
}

export async function startPgBouncer(options: PgBouncerOptions): Promise<PgBouncer> {
  const version = pgbouncerVersion();
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(path.join(os.tmpdir(), "rls-starter-pgbouncer-"));
  const config = path.join(dir, "pgbouncer.ini");
  const authFile = path.join(dir, "users.txt");
  const { host, port: upstreamPort } = options.upstream;

  writeFileSync(
    config,
    [
      "[databases]",
      ...options.aliases.map(
        (a) => `${a.alias} = host=${host} port=${upstreamPort} dbname=${a.dbname} pool_size=${a.poolSize}`,
      ),
      "",
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      `auth_file = ${authFile}`,
      poolingSettings(),
      ...Object.entries(options.settings ?? {}).map(([name, value]) => `${name} = ${value}`),
      "",
    ].join("\n"),
  );
  writeFileSync(
    authFile,
    Object.entries(options.users)
      .map(([u, p]) => authLine(u, p))
      .join(""),
    { mode: 0o600 },
  );

  // PgBouncer refuses to run as root: as root, hand the files to the postgres OS user and let -u switch to it.
  const asRoot = typeof process.getuid === "function" && process.getuid() === 0;
  const args = [config];
  if (asRoot) {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    chmodSync(dir, 0o700);
    for (const file of [dir, config, authFile]) chownSync(file, uid, gid);
    args.unshift("-u", "postgres");
  }

  let log = "";
  const child: ChildProcess = spawn(pgbouncerBinary, args, { stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (d: Buffer) => (log += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`PgBouncer did not start on port ${port}:\n${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    version,
    port,
    url: (alias, user) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(options.users[user] ?? "")}@127.0.0.1:${port}/${alias}`,
    async stop() {
      // SIGTERM: immediate shutdown (clients are disconnected).
      if (child.exitCode === null) child.kill("SIGTERM");
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
