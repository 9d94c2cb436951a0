import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent } from "node:http";
import postgres from "postgres";
import { startEmbedded } from "@/db/embedded";
import { processGroupCpuMs } from "./cpu";
import { browserHeaders, freePort, send, signIn } from "./http";
import { median } from "./stats";

/**
 * Server CPU per request measured side by side, for trying a change to a page: demo-seeded `next
 * start` servers on one embedded PostgreSQL (a database each), loaded in interleaved rounds so the
 * machine's load falls on every candidate alike. Used by compare-builds.ts (two builds, one page) and
 * compare-pages.ts (one build, several pages: the least noisy, as one process serves them all).
 */
export interface DemoServer {
  name: string;
  url: string;
  processGroup: number;
  cookie: string;
  stop(): void;
}

const secrets = {
  TENANT_CONTEXT_SECRET: randomBytes(32).toString("base64url"),
  AUTH_SECRET: randomBytes(32).toString("base64url"),
};

/** One embedded PostgreSQL; `server(name, tree)` seeds a database of its own and starts `next start`. */
export async function sideBySide() {
  const pg = await startEmbedded({
    dataDir: ".data/side-by-side-pg",
    port: await freePort(),
    password: "pw",
    unsafeFast: true,
    log: () => undefined,
  });
  const servers: DemoServer[] = [];
  return {
    async server(name: string, tree: string): Promise<DemoServer> {
      const db = `app_${servers.length}`;
      const owner = postgres(pg.url, { max: 1, onnotice: () => undefined });
      await owner`drop database if exists ${owner(db)}`;
      await owner`create database ${owner(db)}`;
      await owner.end();
      const env = { ...process.env, ...secrets, DATABASE_URL: pg.url.replace(/\/app$/, `/${db}`) };
      // Seeded as `npm run dev` seeds its database.
      execFileSync("npx", ["tsx", "scripts/db-seed.ts"], {
        cwd: tree,
        env: { ...env, NODE_ENV: "development" },
        stdio: "ignore",
      });
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const child = spawn("npx", ["next", "start", "-p", String(port), "-H", "127.0.0.1"], {
        cwd: tree,
        env: { ...env, NODE_ENV: "production", APP_URL: url, DB_POOL_MAX: "10" },
        stdio: "ignore",
        detached: true,
      });
      const stop = () => {
        try {
          process.kill(-child.pid!, "SIGTERM");
        } catch {
          // already gone
        }
      };
      for (let i = 0; ; i++) {
        try {
          await send(`${url}/login`);
          break;
        } catch {
          if (i > 400 || child.exitCode !== null) {
            stop();
            throw new Error(`${name} did not start (is ${tree} built? npx next build)`);
          }
          await new Promise((r) => setTimeout(r, 300));
        }
      }
      const cookie = await signIn(url, "alice@acme.test", "demo-password");
      const server = { name, url, processGroup: child.pid!, cookie, stop };
      servers.push(server);
      return server;
    },
    async close() {
      for (const s of servers) s.stop();
      await pg.stop();
    },
  };
}

/** `requests` requests for `path` from 4 keep-alive clients, as a browser asks; server CPU ms per request. */
export async function cpuPerRequest(server: DemoServer, path: string, requests: number): Promise<number> {
  const clients = 4;
  const headers = { ...browserHeaders, cookie: server.cookie };
  const before = processGroupCpuMs(server.processGroup);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; i < requests / clients; i++) {
        const res = await send(`${server.url}${path}`, { headers, agent, decode: false });
        if (res.status !== 200) throw new Error(`${server.name} ${path}: status ${res.status}`);
      }
      agent.destroy();
    }),
  );
  return (processGroupCpuMs(server.processGroup) - before) / requests;
}

/** Each candidate's median over the rounds, its rounds, and its median ratio to the first, round by round. */
export function sideBySideReport(results: { name: string; rounds: number[] }[]): string {
  const first = results[0]!;
  return results
    .map(({ name, rounds }) => {
      const ratio = median(rounds.map((x, i) => x / first.rounds[i]!));
      return (
        `${name}: median ${median(rounds).toFixed(2)} ms CPU/request, ${ratio.toFixed(3)}x of ${first.name}` +
        ` round by round; rounds ${rounds.map((x) => x.toFixed(2)).join(", ")}`
      );
    })
    .join("\n");
}
