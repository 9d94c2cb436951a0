# syntax=docker/dockerfile:1
# The production image: Next's standalone server and the migrate job, on Node 24 LTS.
#   docker build -t rls-starter .
#   docker run --rm --env-file .env.production rls-starter node migrate.mjs   # once per release
#   docker run -p 3000:3000 --env-file .env.production rls-starter           # each instance
# See docs/deploying.md. The image holds no embedded PostgreSQL, no dev dependencies, no sources.
ARG NODE_VERSION=24

# All dependencies (dev ones too: the build needs TypeScript, Tailwind, esbuild). The `postgres`
# driver's patch (patches/) is applied by the postinstall script.
FROM node:${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /src
COPY package.json package-lock.json ./
COPY patches ./patches
RUN npm ci --no-audit --no-fund

# npm run build: next build (output "standalone"), then scripts/build-standalone.ts adds start.mjs,
# migrate.mjs, drizzle/ and the static assets to .next/standalone.
FROM deps AS build
COPY . .
ENV NEXT_TELEMETRY_DISABLED=1
RUN npm run build

# Only .next/standalone: server.js with the production dependencies it was traced to need.
FROM node:${NODE_VERSION}-bookworm-slim AS runner
WORKDIR /app
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    PORT=3000 \
    HOSTNAME=0.0.0.0
COPY --from=build /src/.next/standalone ./
# The code stays owned by root, read-only to the server; Next may write its cache.
RUN mkdir -p .next/cache && chown node:node .next/cache
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:3000/api/health/live').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM (docker stop, Kubernetes) drains in-flight requests, closes the pools, exits 0.
STOPSIGNAL SIGTERM
CMD ["node", "start.mjs"]
