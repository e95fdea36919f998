# syntax=docker/dockerfile:1
#
# consent-gateway container image.
#
#   docker build -t consent-gateway .
#   docker run -e DATABASE_URL=postgresql://… -e KEY_ENCRYPTION_SECRET=… -e PUBLIC_URL=https://… -p 8080:8080 consent-gateway
#
# The same image runs the data plane (the gateway alone, next to the service, on its database):
#   docker run -e DATABASE_URL=… -e KEY_ENCRYPTION_SECRET=… -e PUBLIC_URL=<the service's> -p 8081:8080 \
#     consent-gateway node --max-semi-space-size=8 dist/gateway-main.js
#
# Two stages: the builder has the dev dependencies (Prisma CLI, Nest CLI, TypeScript) and
# produces dist/; the runtime stage has production dependencies, dist/ and the migrations only.

# ───────────────────────── build ─────────────────────────
FROM node:20-bookworm-slim AS builder
WORKDIR /app

# Dependencies first, so editing the source does not invalidate this layer.
# --ignore-scripts: no dependency needs its install script (CONVENTIONS.md: npm 11 blocks them
# anyway, and Prisma's would try to download a schema engine), and our own postinstall
# (`npm run db:generate`) needs prisma/schema.prisma, which is not copied yet; the build below
# runs it through `prebuild`.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts

COPY . .
# prebuild → `prisma generate` (into src/generated/prisma), then `nest build`, which compiles
# src/ including the generated client into dist/ and copies the portal and guide views.
RUN npm run build

# ───────────────────────── runtime ─────────────────────────
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
# V8 heap sized for the service rather than for the host (src/config/runtime-flags.ts explains the
# figures). Replace NODE_OPTIONS to change them, e.g. a larger old space with a larger memory limit.
ENV NODE_OPTIONS="--max-old-space-size=384 --max-semi-space-size=16"
# Two glibc malloc arenas instead of up to eight per core: less memory kept mapped by Node's
# threads (src/config/runtime-flags.ts, NODE_RUNTIME_ENV).
ENV MALLOC_ARENA_MAX=2
WORKDIR /app

# Production dependencies only.
# --ignore-scripts: our postinstall runs `prisma generate`, which needs the Prisma CLI (a
#   devDependency) and is not needed here: the generated client is compiled into dist/generated.
# --omit=optional: the Prisma CLI is also an optional peer of @prisma/client, so package-lock.json
#   marks it "devOptional" and --omit=dev alone would still install it (and its engines).
#   The only production package this also drops is pg-cloudflare, which pg loads on Cloudflare
#   Workers only (test/unit/compose.spec.ts fails if another one appears).
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --omit=optional --ignore-scripts

COPY --from=builder /app/dist ./dist
# The migrator reads ../../prisma/migrations relative to dist/prisma/migrator.js, i.e.
# /app/prisma/migrations; the service applies them at startup.
COPY --from=builder /app/prisma/migrations ./prisma/migrations

# The application files stay root-owned and read-only to the service. Only data/ (the embedded
# PGlite directory, used when DATABASE_URL is unset outside production) is writable.
RUN mkdir -p /app/data && chown 1000:1000 /app/data

# The image's unprivileged "node" user, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

EXPOSE 8080

# Readiness, not mere liveness: 503 when the database is unreachable. Node 20 has fetch built in,
# so the slim image needs no curl.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8080) + '/health/ready', { signal: AbortSignal.timeout(4000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]

# node itself as PID 1 (not npm): SIGTERM reaches main.ts, which drains in-flight requests.
# `node dist/gateway-main.js` runs the data plane instead (docs/operations.md, "Data plane").
CMD ["node", "dist/main.js"]
