# syntax=docker/dockerfile:1
# affinity-sync: `docker run … affinity-sync worker` (default), `run-all`, `run <mapping>`, `simulator`.

# Build stage: every dependency, then compile TypeScript to dist/.
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
RUN npm run build

# Runtime stage: production dependencies, the compiled code and the example mappings; no compiler.
FROM node:22-slim AS runtime
ENV NODE_ENV=production \
    MAPPINGS_DIR=/app/mappings \
    WORKER_HTTP_PORT=8080
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs dev dependencies this stage does not have.
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY mappings ./mappings
COPY data ./data
RUN chmod 0755 dist/src/cli/main.js && ln -s /app/dist/src/cli/main.js /usr/local/bin/affinity-sync
# The node image's unprivileged user (uid 1000).
USER node
EXPOSE 8080
# No curl in slim images: Node's fetch asks the worker's /livez — the process answers, Redis not
# asked: a Redis outage must not restart every worker (/readyz says whether it can work).
HEALTHCHECK --interval=30s --timeout=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.WORKER_HTTP_PORT || 8080) + '/livez').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["affinity-sync"]
CMD ["worker"]
