import path from "node:path";
import { fileURLToPath } from "node:url";
import { dbEnv } from "@/db/env";
import { migrateDatabase } from "@/db/migrate";

/**
 * The migrate job of a deployment, run once per release before the new app instances start (in the
 * image: `node migrate.mjs`). `npm run build` bundles it to .next/standalone/migrate.mjs, with the
 * migrations beside it in drizzle/; it needs only DATABASE_URL (the owner) and TENANT_CONTEXT_SECRET
 * (plus the role URLs when they are set explicitly). Runs started together take turns (db/migrate.ts).
 */
const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), "drizzle");
await migrateDatabase(dbEnv(), console.log, migrationsFolder);
