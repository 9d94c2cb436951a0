/**
 * Graceful shutdown, shared by the production entry point (scripts/production/start.ts), which owns the
 * HTTP server and the signals, and the app, which owns what must be closed last (the database pools,
 * registered by instrumentation.ts). The two are bundled separately and meet on one global object.
 */
interface ShutdownState {
  draining: boolean;
  hooks: (() => Promise<void>)[];
}

const key = Symbol.for("rls-starter.shutdown");

function state(): ShutdownState {
  const global = globalThis as unknown as Record<symbol, ShutdownState | undefined>;
  return (global[key] ??= { draining: false, hooks: [] });
}

/** True once a shutdown has begun: the readiness endpoint answers 503 so that load balancers stop sending. */
export const isDraining = (): boolean => state().draining;

export function startDraining(): void {
  state().draining = true;
}

/** Runs after the server has stopped accepting and its in-flight requests have ended. */
export function onShutdown(hook: () => Promise<void>): void {
  state().hooks.push(hook);
}

/** Runs every hook; a failing hook is reported and does not stop the others. */
export async function runShutdownHooks(report: (error: unknown) => void): Promise<void> {
  const results = await Promise.allSettled(state().hooks.map((hook) => hook()));
  for (const r of results) if (r.status === "rejected") report(r.reason);
}
