import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";

/**
 * Local servers for the test runs: a free port, waiting for HTTP, and the production server of the
 * current build (npm test's app server, the second server of e2e/ask.spec.ts, the servers of
 * e2e/production-server.spec.ts).
 */

/** A TCP port on 127.0.0.1 that is free right now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no free port")),
      );
    });
  });
}

/** Resolves once `url` answers with a status below 500; throws after `timeoutMs`, or as soon as `gaveUp()` says so. */
export async function waitForHttp(url: string, timeoutMs: number, gaveUp: () => string | undefined = () => undefined) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const reason = gaveUp();
    if (reason) throw new Error(`${url} will not answer: ${reason}`);
    try {
      const res = await fetch(url, { redirect: "manual" });
      if (res.status < 500) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

export interface NextServer {
  url: string;
  port: number;
  /** The server's process id (the process group's too). */
  pid: number;
  /** Resolves when the process has exited, with its exit code (null when a signal ended it). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM to the server's process group: a graceful shutdown (scripts/production/start.ts). */
  stop(): void;
}

/** The production server as the image runs it: `npm run build` writes it (scripts/build-standalone.ts). */
export const productionServerEntry = ".next/standalone/start.mjs";

/**
 * The production server (`node .next/standalone/start.mjs`, the image's entry point) on 127.0.0.1, on
 * a free port or `port`, with `env`; resolves once its login page answers.
 */
export async function startNextServer(options: {
  env: NodeJS.ProcessEnv;
  /** What the server prints: dropped, or handed to a function as it comes. */
  output: "ignore" | ((text: string, stream: "stdout" | "stderr") => void);
  timeoutMs: number;
  port?: number;
  /** Another script of the build to run instead (a control runs Next's server.js without the entry point). */
  entry?: string;
}): Promise<NextServer> {
  const entry = options.entry ?? productionServerEntry;
  if (!existsSync(entry))
    throw new Error(`${entry} not found: run npm run build (next build, then the standalone packaging).`);
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const output = options.output;
  const child = spawn(process.execPath, [entry], {
    env: {
      // Idle keep-alive connections stay open for a minute instead of Node's 5 s. Clients (undici's fetch
      // in the MCP SDK, Playwright's request) reuse an idle connection until shortly before the timeout
      // the server announced; on a machine so busy that the client runs seconds late, it could send on a
      // connection the server was closing ("other side closed").
      KEEP_ALIVE_TIMEOUT: "60000",
      // Emailed links come from APP_URL only (lib/env.ts requires it in production): this server's own URL.
      APP_URL: url,
      ...options.env,
      NODE_ENV: "production",
      PORT: String(port),
      HOSTNAME: "127.0.0.1",
    },
    stdio: output === "ignore" ? "ignore" : ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (output !== "ignore") {
    child.stdout?.on("data", (d: Buffer) => output(d.toString(), "stdout"));
    child.stderr?.on("data", (d: Buffer) => output(d.toString(), "stderr"));
  }
  let exitedWith: string | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      exitedWith = `the server exited (${signal ?? code})`;
      resolve({ code, signal });
    }),
  );
  const stop = () => {
    try {
      if (child.pid && !exitedWith) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    await waitForHttp(`${url}/login`, options.timeoutMs, () => exitedWith);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, port, pid: child.pid!, exited, stop };
}
