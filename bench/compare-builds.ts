// Server CPU per request of a page (PAGE, /conversations by default) for two builds side by side (two
// git trees, each built with `npx next build`), on one embedded PostgreSQL with a database each, rounds
// interleaved so that the machine's load falls on both alike. CPU is read from /proc for each server's process group.
//   [PAGE=/overview] npx tsx bench/compare-builds.ts <tree before> <tree after>   (ROUNDS=5 by default)
import { spawn, execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { Agent, request } from "node:http";
import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { startEmbedded } from "@/db/embedded";
import { freePort, signIn } from "./http";

const [baseTree, newTree] = process.argv.slice(2) as [string, string];
const page = process.env.PAGE ?? "/conversations";
const secrets = {
  TENANT_CONTEXT_SECRET: randomBytes(32).toString("base64url"),
  AUTH_SECRET: randomBytes(32).toString("base64url"),
};
const pgPort = await freePort();
const pg = await startEmbedded({
  dataDir: ".data/compare-builds-pg",
  port: pgPort,
  password: "pw",
  unsafeFast: true,
  log: () => undefined,
});
const owner = postgres(pg.url, { max: 1, onnotice: () => undefined });
const urlFor = (db: string) => pg.url.replace(/\/app$/, `/${db}`);
for (const db of ["app_base", "app_new"]) {
  await owner`drop database if exists ${owner(db)}`;
  await owner`create database ${owner(db)}`;
}
await owner.end();

function ticksOfGroup(pgid: number): number {
  let total = 0;
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) === pgid) total += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone
    }
  }
  return total;
}

interface Server {
  name: string;
  url: string;
  pgid: number;
  cookie: string;
  stop(): void;
}

async function prepare(name: string, tree: string, db: string): Promise<Server> {
  const env = { ...process.env, ...secrets, DATABASE_URL: urlFor(db), NODE_ENV: "development" as const };
  execFileSync("npx", ["tsx", "scripts/db-seed.ts"], { cwd: tree, env, stdio: "ignore" });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], {
    cwd: tree,
    env: { ...env, NODE_ENV: "production" as const, APP_URL: url, DB_POOL_MAX: "10" },
    stdio: "ignore",
    detached: true,
  });
  for (let i = 0; ; i++) {
    try {
      await fetch(`${url}/login`);
      break;
    } catch {
      if (i > 400) throw new Error(`${name} did not start`);
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  const cookie = await signIn(url, "alice@acme.test", "demo-password");
  return { name, url, pgid: child.pid!, cookie, stop: () => process.kill(-child.pid!, "SIGTERM") };
}

function get(url: string, cookie: string, agent: Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { cookie }, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function round(s: Server, n: number): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const before = ticksOfGroup(s.pgid);
  for (let i = 0; i < n; i++) {
    const status = await get(`${s.url}${page}`, s.cookie, agent);
    if (status !== 200) throw new Error(`${s.name}: status ${status}`);
  }
  const after = ticksOfGroup(s.pgid);
  agent.destroy();
  return ((after - before) * 10) / n; // ms of CPU per request (100 ticks/s)
}

const servers = [await prepare("before", baseTree, "app_base"), await prepare("after", newTree, "app_new")];
try {
  for (const s of servers) await round(s, 100); // warm-up
  const results: Record<string, number[]> = { before: [], after: [] };
  const rounds = Number(process.env.ROUNDS ?? 5);
  for (let r = 0; r < rounds; r++) {
    for (const s of r % 2 === 0 ? servers : [...servers].reverse()) results[s.name]!.push(await round(s, 200));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  for (const [name, xs] of Object.entries(results)) {
    console.log(
      `${name}: median ${median(xs).toFixed(2)} ms CPU/request; rounds ${xs.map((x) => x.toFixed(2)).join(", ")}`,
    );
  }
} finally {
  for (const s of servers) s.stop();
  await pg.stop();
}
