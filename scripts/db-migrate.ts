import { env } from "@/lib/env";
import { migrateDatabase } from "@/db/migrate";
import { applyDevDefaults, ensureDatabase, loadDotEnv } from "@/db/dev-environment";

loadDotEnv();
const server = await ensureDatabase(applyDevDefaults());
try {
  await migrateDatabase(env());
} finally {
  await server?.stop();
}
