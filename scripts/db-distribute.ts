import { dbEnv } from "@/db/env";
import { distributeSchema } from "@/db/citus/distribute";
import { loadDotEnv } from "@/db/dev-environment";

// npm run db:distribute: shard the migrated schema on the Citus coordinator at DATABASE_URL (docs/scale-out.md).
loadDotEnv();
await distributeSchema(dbEnv());
