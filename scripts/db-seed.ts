import { parseArgs } from "node:util";
import { dbEnv } from "@/db/env";
import { migrateDatabase } from "@/db/migrate";
import { seedDatabase } from "@/db/seed/seed";
import { applyDevDefaults, ensureDatabase, loadDotEnv } from "@/db/dev-environment";

// npm run db:seed [-- --tenants 1000 --conversations 1000 --reset]
const { values } = parseArgs({
  options: {
    tenants: { type: "string", default: "3" },
    conversations: { type: "string", default: "320" },
    reset: { type: "boolean", default: false },
  },
});
const tenants = Number(values.tenants);
const conversations = Number(values.conversations);
if (!Number.isInteger(tenants) || tenants < 1 || !Number.isInteger(conversations) || conversations < 1) {
  console.error("--tenants and --conversations must be positive integers");
  process.exit(2);
}
loadDotEnv();
const server = await ensureDatabase(applyDevDefaults());
try {
  await migrateDatabase(dbEnv());
  await seedDatabase(process.env.DATABASE_URL!, {
    tenants,
    conversationsPerTenant: conversations,
    reset: values.reset,
  });
} finally {
  await server?.stop();
}
