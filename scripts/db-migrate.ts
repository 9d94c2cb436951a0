import { dbEnv } from "@/db/env";
import { migrateDatabase } from "@/db/migrate";
import { applyDevDefaults, ensureDatabase, loadDotEnv } from "@/db/dev-environment";

loadDotEnv();
const server = await ensureDatabase(applyDevDefaults());
try {
  await migrateDatabase(dbEnv());
} finally {
  await server?.stop();
}
