# parley: multi-stage image. Build: docker build -t parley .   Run: see compose.yaml and docs/deployment.md.
# Not built on the machines parley is developed on (no Docker engine there): test/unit/docs/deployment-files.test.ts
# checks this file's shape, and test/integration/docs/built-service.test.ts runs its command and health check
# against a build of the checkout.
ARG NODE_VERSION=20.19

# 1. Build: all dependencies, the admin console (npm ci's prepare step runs vite) and dist/ (tsc).
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
COPY web ./web
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# 2. Run: production dependencies, the compiled service, the console and the runbooks; no sources, no compilers.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    PARLEY_DATA_DIR=/app/.parley
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
COPY --from=build /app/docs/runbooks ./docs/runbooks
RUN mkdir -p /app/.parley && chown node:node /app/.parley
# The official image's unprivileged user (uid 1000); nothing under /app but .parley is writable.
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/src/main.js"]
