import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time of the processes that answer a request, read from /proc (Linux): steadier than latency on
 * a shared machine, where a neighbour's load lengthens every wait but not the work a request costs.
 * Each process's user + system time, plus that of its children it has waited for (a reaped child's
 * time moves into its parent's cutime/cstime, so nothing is counted twice or lost).
 */
interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  ticks: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return ticksPerSecond;
}

function readStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null; // exited meanwhile
  }
  // Fields after the command name (which may contain spaces and parentheses): state is field 3.
  const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(f[n - 3]);
  return { pid, ppid: field(4), pgrp: field(5), ticks: field(14) + field(15) + field(16) + field(17) };
}

function allStats(): ProcStat[] {
  const stats: ProcStat[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.push(stat);
  }
  return stats;
}

/** CPU milliseconds used so far by a process group (the `next start` server: npx and its children). */
export function processGroupCpuMs(pgrp: number): number {
  const ticks = allStats()
    .filter((s) => s.pgrp === pgrp)
    .reduce((t, s) => t + s.ticks, 0);
  return (ticks * 1000) / clockTicks();
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

/**
 * CPU milliseconds used so far by the backends of one role (PostgreSQL shows "postgres: <role> <db> …"
 * as a backend's command line): the app's connections, without autovacuum, the checkpointer and the
 * WAL writer, whose work comes and goes on its own.
 */
export function backendsCpuMs(postmaster: number, role: string): number {
  const ticks = allStats()
    .filter((s) => s.ppid === postmaster && commandLine(s.pid).startsWith(`postgres: ${role} `))
    .reduce((t, s) => t + s.ticks, 0);
  return (ticks * 1000) / clockTicks();
}

/** The postmaster's pid, from postmaster.pid in the cluster's data directory. */
export function postmasterPid(dataDirectory: string): number {
  const pid = Number(readFileSync(`${dataDirectory}/postmaster.pid`, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${dataDirectory}/postmaster.pid`);
  return pid;
}
