# csdl-gateway: one image for every process (serve, worker, migrate, simulator, the CLI).
#   build    npm ci with the whole toolchain: `prepare` generates the Prisma client offline and compiles dist/
#   deps     production dependencies only, no install scripts
#   runtime  node, dist/, those dependencies, the SQL migrations and the console's static files; non-root
# No key, certificate or token is baked in: the PKI and the JWT key are mounted (compose.yaml), and secrets
# (SIGNER_P12_PASSWORD, NATIONAL_CLIENT_SECRET, database password) come from the environment or a secret store.
# The base image is a build argument so a deployment can use its own registry (or a locally imported image):
#   docker build --build-arg NODE_IMAGE=registry.tinh.gov.vn/node:20-bookworm-slim .
# No `# syntax=` line and no RUN --mount: both need a BuildKit frontend fetched from Docker Hub.
ARG NODE_IMAGE=node:20.19-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV PRISMA_HIDE_UPDATE_MESSAGE=1 \
    CHECKPOINT_DISABLE=1
COPY package.json package-lock.json tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY scripts ./scripts
COPY prisma ./prisma
COPY src ./src
RUN npm ci --no-audit --no-fund

FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# --omit=optional also leaves out Prisma's CLI and engines (optional peers of @prisma/client): the client is
# generated in the build stage and runs engine-less; migrations are applied by `csdl-gateway migrate`.
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund

FROM ${NODE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="csdl-gateway" \
      org.opencontainers.image.description="Cổng dữ liệu CBCCVC của tỉnh: hồ sơ, phê duyệt ký số, đồng bộ CSDL quốc gia"
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
COPY prisma/migrations ./prisma/migrations
COPY src/console/public ./src/console/public
# The files belong to root and are read-only for the process, which runs as the image's unprivileged `node` user.
USER node
EXPOSE 3000
# /health of the API on PORT; a worker serves it on METRICS_PORT (set HEALTH_PORT to that port, as compose.yaml does).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.HEALTH_PORT || process.env.PORT || 3000}/health`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
STOPSIGNAL SIGTERM
CMD ["node", "bin/csdl-gateway.js", "serve"]
