import js from "@eslint/js";
import nextPlugin from "@next/eslint-plugin-next";
import reactHooks from "eslint-plugin-react-hooks";
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
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // Type-aware rules: each file is checked with the types of the tsconfig.json project it belongs to.
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // A Drizzle query left un-awaited inside withTenant() silently never runs (a builder is sent when
      // awaited), and a started one that nobody awaits fails unseen.
      "@typescript-eslint/no-floating-promises": [
        "error",
        {
          // Drizzle's builders are thenables (QueryPromise implements Promise, extends nothing): without
          // this the rule does not see `tx.insert(t).values(v);` at all.
          checkThenables: true,
          // node:test's describe() and it() return promises that the runner itself awaits.
          allowForKnownSafeCalls: [
            { from: "package", package: "node:test", name: ["describe", "it", "test", "suite"] },
          ],
        },
      ],
      // Form `action` props need no exemption: React 19 types them `(formData) => void | Promise<void>` and
      // awaits them (a rejection reaches the error boundary). Event handler props (onSubmit, onClick) stay
      // checked: React drops what they return, so a rejection there would go unhandled.
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: { attributes: true } }],
      // Off: its findings here are functions that must return a promise without awaiting anything
      // (Mailer.send, withTenant callbacks in tests, MCP tool handlers); Promise.resolve(…) would say less.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // The JavaScript config files are not in the TypeScript project: no type information for them.
    files: ["**/*.mjs", "**/*.cjs", "**/*.js"],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The code Next.js builds (the tools in scripts/, tests/, e2e/ and bench/ run no React).
    files: ["app/**", "components/**", "features/**", "lib/**", "middleware.ts", "instrumentation.ts"],
    plugins: { "@next/next": nextPlugin, "react-hooks": reactHooks },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs["core-web-vitals"].rules,
      ...reactHooks.configs.flat.recommended.rules,
    },
  },
);
