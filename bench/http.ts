import { spawn } from "node:child_process";
import { Agent, request } from "node:http";
import { createServer } from "node:net";
import { brotliDecompressSync, gunzipSync, inflateSync } from "node:zlib";
import { summarize, type LatencySummary } from "./stats";

/**
 * The HTTP benchmark: the real app (the production server, `node .next/standalone/start.mjs`) on the bench database, signed
 * in through Auth.js's credentials endpoint, loaded by a small keep-alive HTTP loop (node:http, so
 * the load generator costs little of the two cores it shares with the server and PostgreSQL).
 */
export interface HttpTarget {
  name: string;
  path: string;
  /** Request headers: the session cookie for pages, the API key for /api/v1. */
  headers: Record<string, string>;
}

/** What a browser sends with every request: the answers come compressed when the server compresses. */
export const browserHeaders = {
  accept: "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
  "accept-encoding": "gzip, deflate, br, zstd",
};

export interface HttpMeasurement {
  mode: string;
  /** Without the headers: the results file must not carry the session cookie or the API key. */
  target: Omit<HttpTarget, "headers">;
  summary: LatencySummary;
  statuses: Record<string, number>;
  errors: number;
  /** Server CPU per answered request (the `next start` process group, from /proc), ms. */
  serverCpuMs?: number;
  /** PostgreSQL CPU per answered request (the app_user backends, from /proc), ms. */
  postgresCpuMs?: number;
  /** Bytes on the wire per answer (body, as sent: compressed when the server compressed it). */
  bytes?: number;
  /** The lowest and highest server CPU per request of the rounds: the run's spread. */
  serverCpuRangeMs?: [number, number];
  /** Server CPU per request in each round, in the rounds' order. */
  serverCpuRoundsMs?: number[];
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The body's length on the wire. */
  bytes: number;
}

function decode(raw: Buffer, encoding: string | string[] | undefined): string {
  if (encoding === "gzip") return gunzipSync(raw).toString("utf8");
  if (encoding === "br") return brotliDecompressSync(raw).toString("utf8");
  if (encoding === "deflate") return inflateSync(raw).toString("utf8");
  if (encoding === undefined || encoding === "identity") return raw.toString("utf8");
  return ""; // an encoding this Node cannot decode (zstd on Node 20): only its size is used
}

export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string; agent?: Agent; decode?: boolean } = {},
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? "GET", headers: options.headers, agent: options.agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          try {
            const body = options.decode === false ? "" : decode(raw, res.headers["content-encoding"]);
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body, bytes: raw.length });
          } catch (error) {
            reject(error instanceof Error ? error : new Error(String(error)));
          }
        });
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    if (options.body) req.write(options.body);
    req.end();
  });
}

export async function startNextServer(
  appEnv: Record<string, string>,
  log: (line: string) => void,
): Promise<{ baseUrl: string; stop(): void; processGroup: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [".next/standalone/start.mjs"], {
    env: {
      APP_URL: `http://127.0.0.1:${port}`,
      ...process.env,
      ...appEnv,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
    },
    stdio: ["ignore", "ignore", "inherit"],
    detached: true,
  });
  const stop = () => {
    try {
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  const baseUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await send(`${baseUrl}/login`);
      if (res.status < 500) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      stop();
      throw new Error(
        `the production server did not answer on ${baseUrl} within 60 s (is there a production build? run npm run build)`,
      );
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  log(`production server listening on ${baseUrl}`);
  return { baseUrl, stop, processGroup: child.pid! };
}

const cookiesOf = (res: Response): string[] => {
  const raw = res.headers["set-cookie"];
  return (Array.isArray(raw) ? raw : raw ? [raw] : []).map((c) => c.split(";")[0]!);
};

/** Signs in like the login form does (Auth.js credentials callback) and returns the Cookie header. */
export async function signIn(baseUrl: string, email: string, password: string): Promise<string> {
  const csrf = await send(`${baseUrl}/api/auth/csrf`);
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const jar = cookiesOf(csrf);
  const body = new URLSearchParams({ csrfToken, email, password, callbackUrl: `${baseUrl}/conversations` }).toString();
  const res = await send(`${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: jar.join("; ") },
    body,
  });
  const session = cookiesOf(res).find((c) => c.startsWith("authjs.session-token="));
  if (!session) throw new Error(`Sign-in as ${email} failed (status ${res.status}): no session cookie`);
  return [...jar, session].join("; ");
}

export async function get(baseUrl: string, path: string, headers: Record<string, string>): Promise<Response> {
  return send(`${baseUrl}${path}`, { headers });
}

/** `concurrency` keep-alive clients requesting `path` back to back for `durationMs`, as a browser asks. */
export async function load(
  baseUrl: string,
  target: HttpTarget,
  concurrency: number,
  durationMs: number,
): Promise<HttpRun> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  let bytes = 0;
  const headers = { ...browserHeaders, ...target.headers };
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await send(`${baseUrl}${target.path}`, { headers, agent, decode: false });
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status === 200) {
          latencies.push(performance.now() - t0);
          bytes += res.bytes;
        }
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  agent.destroy();
  return { latencies, elapsed, statuses, errors, bytes };
}

export interface HttpRun {
  latencies: number[];
  elapsed: number;
  statuses: Record<string, number>;
  errors: number;
  bytes: number;
  /** CPU ms the server and PostgreSQL used during the run (read around it by the caller). */
  serverCpuMs?: number;
  postgresCpuMs?: number;
}

function cpuPerRound(runs: HttpRun[]): number[] {
  return runs.map((r) => (r.latencies.length > 0 ? (r.serverCpuMs ?? Number.NaN) / r.latencies.length : Number.NaN));
}

export function toMeasurement(mode: string, target: HttpTarget, runs: HttpRun[]): HttpMeasurement {
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [s, n] of Object.entries(r.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
  const answered = runs.reduce((t, r) => t + r.latencies.length, 0);
  const perRound = cpuPerRound(runs);
  const measuredRounds = perRound.filter(Number.isFinite);
  return {
    mode,
    target: { name: target.name, path: target.path },
    // Requests answered per second while this page was the one being loaded.
    summary: summarize(
      runs.flatMap((r) => r.latencies),
      (runs.reduce((t, r) => t + r.latencies.length, 0) / runs.reduce((t, r) => t + r.elapsed, 0)) * 1000,
    ),
    statuses,
    errors: runs.reduce((t, r) => t + r.errors, 0),
    ...(answered > 0
      ? {
          serverCpuMs: runs.reduce((t, r) => t + (r.serverCpuMs ?? 0), 0) / answered,
          postgresCpuMs: runs.reduce((t, r) => t + (r.postgresCpuMs ?? 0), 0) / answered,
          bytes: runs.reduce((t, r) => t + r.bytes, 0) / answered,
          serverCpuRangeMs: [Math.min(...measuredRounds), Math.max(...measuredRounds)],
          serverCpuRoundsMs: perRound,
        }
      : {}),
  };
}
