import { spawnSync } from "node:child_process";
import { appendFileSync, chownSync, existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "./servers";

/**
 * A throwaway Citus cluster for the tests of the scale-out path: a coordinator and two workers on
 * 127.0.0.1, Debian's PostgreSQL 15 with Citus built by scripts/citus/build.sh, trust authentication
 * (local test cluster only). As root, the servers run as the postgres OS user (PostgreSQL refuses root).
 */
const bin = "/usr/lib/postgresql/15/bin";

export const citusInstallHint = "bash scripts/citus/build.sh (as root; .ci/run does it)";

export function citusInstalled(): boolean {
  return existsSync(path.join(bin, "pg_ctl")) && existsSync("/usr/lib/postgresql/15/lib/citus.so");
}

export interface CitusCluster {
  /** The coordinator, as the superuser (the owner that migrates and distributes). */
  url: string;
  workerPorts: number[];
  stop(): void;
}

const asRoot = process.getuid?.() === 0;

function runAsServerUser(command: string, args: string[]): void {
  const [file, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", command, ...args]] : [command, args];
  const result = spawnSync(file, argv, { encoding: "utf8" });
  if (result.status !== 0) {
    throw new Error(`${command} ${args.join(" ")} failed (${result.status}): ${result.stderr || result.stdout}`);
  }
}

export async function startCitusCluster(dir: string, log: (line: string) => void = () => undefined) {
  mkdirSync(dir, { recursive: true });
  if (asRoot) {
    const uid = Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim());
    const gid = Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim());
    chownSync(dir, uid, gid);
  }
  const ports = [await freePort(), await freePort(), await freePort()];
  const started: string[] = [];
  const stop = () => {
    for (const data of started) {
      try {
        runAsServerUser(path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"]);
      } catch {
        // already stopped
      }
    }
  };
  try {
    for (const [i, port] of ports.entries()) {
      const data = path.join(dir, `n${i}`);
      runAsServerUser(path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync"]);
      appendFileSync(
        path.join(data, "postgresql.conf"),
        [
          `port = ${port}`,
          "listen_addresses = '127.0.0.1'",
          `unix_socket_directories = '${dir}'`,
          "shared_preload_libraries = 'citus'",
          "max_prepared_transactions = 40",
          "max_connections = 200",
          "fsync = off",
          "synchronous_commit = off",
          "full_page_writes = off",
          "",
        ].join("\n"),
      );
      runAsServerUser(path.join(bin, "pg_ctl"), ["-D", data, "-l", `${data}.log`, "-w", "start"]);
      started.push(data);
      const node = postgres({
        host: "127.0.0.1",
        port,
        user: "postgres",
        database: "postgres",
        max: 1,
        onnotice: () => undefined,
      });
      await node`create extension if not exists citus`;
      await node.end();
    }
    const coordinator = postgres({
      host: "127.0.0.1",
      port: ports[0],
      user: "postgres",
      database: "postgres",
      max: 1,
      onnotice: () => undefined,
    });
    await coordinator`select citus_set_coordinator_host('127.0.0.1', ${ports[0]!})`;
    for (const port of ports.slice(1)) await coordinator`select citus_add_node('127.0.0.1', ${port})`;
    await coordinator.end();
    log(`Citus cluster: coordinator 127.0.0.1:${ports[0]}, workers ${ports.slice(1).join(", ")} (${dir})`);
    return { url: `postgres://postgres@127.0.0.1:${ports[0]}/postgres`, workerPorts: ports.slice(1), stop };
  } catch (error) {
    stop();
    throw error;
  }
}
