import { spawn } from "node:child_process";
import { createServer } from "node:net";

/**
 * Local servers for the test runs: a free port, waiting for HTTP, and `next start` of the current
 * build (npm test's app server, and the second server of e2e/ask.spec.ts).
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
  /** SIGTERM to the server's process group (npx, next and its workers). */
  stop(): void;
}

/**
 * `next start` of the build in .next on a free port of 127.0.0.1, in production mode with `env`;
 * resolves once its login page answers.
 */
export async function startNextServer(options: {
  env: NodeJS.ProcessEnv;
  /** What the server prints: dropped, or handed to a function as it comes. */
  output: "ignore" | ((text: string, stream: "stdout" | "stderr") => void);
  timeoutMs: number;
}): Promise<NextServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const output = options.output;
  // Idle keep-alive connections stay open for a minute instead of Node's 5 s. Clients (undici's fetch
  // in the MCP SDK, Playwright's request) reuse an idle connection until shortly before the timeout
  // the server announced; on a machine so busy that the client runs seconds late, it could send on a
  // connection the server was closing ("other side closed").
  const args = ["next", "start", "-p", String(port), "-H", "127.0.0.1", "--keepAliveTimeout", "60000"];
  const child = spawn("npx", args, {
    // Emailed links come from APP_URL only (lib/env.ts requires it in production): this server's own URL.
    env: { APP_URL: url, ...options.env, NODE_ENV: "production" },
    stdio: output === "ignore" ? "ignore" : ["ignore", "pipe", "pipe"],
    detached: true,
  });
  if (output !== "ignore") {
    child.stdout?.on("data", (d: Buffer) => output(d.toString(), "stdout"));
    child.stderr?.on("data", (d: Buffer) => output(d.toString(), "stderr"));
  }
  let exited: string | undefined;
  child.once("exit", (code, signal) => (exited = `next start exited (${signal ?? code})`));
  const stop = () => {
    try {
      if (child.pid && !exited) process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    await waitForHttp(`${url}/login`, options.timeoutMs, () => exited);
  } catch (error) {
    stop();
    throw error;
  }
  return { url, stop };
}
