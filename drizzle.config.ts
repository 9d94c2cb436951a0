import { defineConfig } from "drizzle-kit";

// Only `generate` is used: migrations are SQL files in drizzle/, applied by `npm run db:migrate`
// (drizzle-kit push can drop policies it does not know about, so it is never used).
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/schema.ts",
  out: "./drizzle",
});
