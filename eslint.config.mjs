import js from "@eslint/js";
import tseslint from "typescript-eslint";

// The code rules. Which folder may import which (app → features → lib → db, the db/ boundary, no raw
// driver outside db/, no import cycles) is checked by dependency-cruiser: see .dependency-cruiser.mjs.

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
);
