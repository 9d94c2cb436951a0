import http from "node:http";
import net from "node:net";
import { runShutdownHooks, startDraining } from "@/lib/shutdown";

/**
 * The production server: Next's standalone server.js, which sits next to this file once `npm run build`
 * has bundled it to .next/standalone/start.mjs, with a graceful shutdown. On SIGTERM or SIGINT it stops
 * accepting connections, lets the requests in flight finish (answered with `Connection: close`), then
 * runs the app's shutdown hooks (the database pools, lib/shutdown.ts) and exits 0. Past
 * SHUTDOWN_TIMEOUT_MS (default 20 s, under the 30 s Kubernetes and Docker wait before SIGKILL) it cuts
 * the remaining connections and exits 1.
 *
 * Next's own signal handler is turned off (NEXT_MANUAL_SIG_HANDLE): it exits 143 and closes no pool.
 * Next creates its HTTP server inside server.js without handing it out, so the server is taken at
 * listen() time.
 */
process.env.NEXT_MANUAL_SIG_HANDLE = "true";
const configuredTimeout = Number(process.env.SHUTDOWN_TIMEOUT_MS);
const timeoutMs = Number.isFinite(configuredTimeout) && configuredTimeout > 0 ? configuredTimeout : 20_000;
const log = (message: string) =>
  console.log(JSON.stringify({ level: "info", msg: message, time: new Date().toISOString() }));

const servers: http.Server[] = [];
let draining = false;

// http.Server inherits listen() from net.Server; this override sees every HTTP server the process opens.
http.Server.prototype.listen = function listenAndKeep(this: http.Server, ...args: unknown[]) {
  servers.push(this);
  this.on("request", (_request: http.IncomingMessage, response: http.ServerResponse) => {
    if (draining) response.setHeader("Connection", "close");
  });
  return net.Server.prototype.listen.apply(this, args as Parameters<net.Server["listen"]>);
} as http.Server["listen"];

async function shutDown(signal: NodeJS.Signals): Promise<never> {
  log(`${signal}: no new connections; finishing the requests in flight`);
  startDraining();
  const closed = Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  // Keep-alive connections that fall idle while the others finish are closed as they do.
  const sweep = setInterval(() => servers.forEach((server) => server.closeIdleConnections()), 100);
  servers.forEach((server) => server.closeIdleConnections());
  let timer: NodeJS.Timeout | undefined;
  const drained = await Promise.race([
    closed.then(() => true),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs))),
  ]);
  clearInterval(sweep);
  clearTimeout(timer);
  if (!drained) {
    log(`requests still in flight after ${timeoutMs} ms: closing their connections`);
    servers.forEach((server) => server.closeAllConnections());
  }
  await runShutdownHooks((error) => console.error("shutdown hook failed:", error));
  log(drained ? "stopped" : "stopped (forced)");
  process.exit(drained ? 0 : 1);
}

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (draining) return;
    draining = true;
    void shutDown(signal);
  });
}

// @ts-expect-error server.js is written by `next build` into the folder this file is bundled to.
await import("./server.js");
