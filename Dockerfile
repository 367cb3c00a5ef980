# luodi's one image, for the API (the default command), the worker, the notification dispatcher,
# the migrations and the admin commands, each chosen by its command (docker-compose.yml). The
# first stage compiles with the dev dependencies; the second holds only the compiled code and the
# production dependencies, and runs as a non-root user. Nothing in it runs tsx.
# Operators: deploy/README.md.

FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
# No install script runs: none of these packages needs its own (@swc/core's only checks for its
# native binary, protobufjs's checks its CLI's dependencies, @scarf/scarf's reports the install).
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
# What tsconfig.build.json compiles; tests and benchmarks stay out.
COPY tsconfig.json tsconfig.build.json ./
COPY workflows workflows
COPY activities activities
COPY worker worker
COPY api api
COPY db db
COPY config config
COPY scripts scripts
# tsc to dist/, then the workflow bundle the worker loads (dist/workflow-bundle.js).
RUN npm run build

FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force
# Owned by root and read-only to the process: luodi writes nothing to its own files.
COPY --from=build /app/dist dist
# The node image's own unprivileged user (uid 1000).
USER node
EXPOSE 3000
# The API's liveness, with node itself, so that it needs nothing else in the image. The worker, the dispatcher
# and the migrations serve no HTTP: docker-compose.yml disables this check for them.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/api/main.js"]
