import { spawn } from "node:child_process";
import { env } from "@/lib/env";
import { dbEnv } from "@/db/env";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed/seed";
import { applyDevDefaults, ensureDatabase, loadDotEnv } from "@/db/dev-environment";

// `npm run dev`: database (embedded unless DATABASE_URL is set), migrations, first-start seed, then
// `next dev`. Ctrl-C or SIGTERM stops Next and the embedded server together.
const started = Date.now();
loadDotEnv();
const secrets = applyDevDefaults();
const server = await ensureDatabase(secrets);
console.log(server ? `Embedded PostgreSQL 18 ready (npm run db:url prints its URL).` : `Using DATABASE_URL.`);
env(); // the app's settings, checked before the database work rather than by the first request
await migrateDatabase(dbEnv());
await seedDatabase(process.env.DATABASE_URL!, { tenants: 3, conversationsPerTenant: 320 });
console.log(`Database ready in ${((Date.now() - started) / 1000).toFixed(1)} s; starting Next.js …`);

const next = spawn("npx", ["next", "dev", ...process.argv.slice(2)], { stdio: "inherit", env: process.env });
let stopping = false;
async function shutdown(code: number) {
  if (stopping) return;
  stopping = true;
  next.kill("SIGTERM");
  if (server) {
    await server.stop();
    console.log("Embedded PostgreSQL stopped.");
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));
next.on("exit", (code) => void shutdown(code ?? 0));
