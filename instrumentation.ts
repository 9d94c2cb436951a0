// Runs once when the server starts: an invalid or incomplete environment (in production: missing
// TENANT_CONTEXT_SECRET or AUTH_SECRET) stops the server here instead of failing on the first request.
// The app's settings (lib/env.ts) and the database's (db/env.ts) are checked together, so one start
// reports every problem of both. The database pools are closed last on shutdown (lib/shutdown.ts).
export async function register() {
  if (process.env.NEXT_RUNTIME === "nodejs") {
    const [{ env }, { dbEnv, closePools }, { onShutdown }] = await Promise.all([
      import("@/lib/env"),
      import("@/db"),
      import("@/lib/shutdown"),
    ]);
    const problems: string[] = [];
    for (const validate of [env, dbEnv]) {
      try {
        validate();
      } catch (error) {
        problems.push(error instanceof Error ? error.message : String(error));
      }
    }
    if (problems.length > 0) throw new Error(problems.join("\n\n"));
    onShutdown(closePools);
  }
}
