# velo-backfill as a Cloud Run Job image.
# Build: docker build -t velo-backfill .   Run: docker run --rm velo-backfill run --help
# Credentials come from the job's service account (Application Default Credentials): never bake a key in.

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` (the build) needs the sources, copied below.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY sql ./sql
COPY schemas ./schemas
# The embedded warehouse and the local spool write here; mount a volume for a persistent DuckDB file.
RUN mkdir -p /work && chown node:node /work
# The base image's `node` user, by number: a numeric UID lets a runtime check runAsNonRoot without the image's /etc/passwd.
USER 1000:1000
WORKDIR /work
# The flags of the bin's #! line (src/cli/main.ts): a small young generation on the main thread, and a
# collection between reading and loading.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--expose-gc", "/app/dist/cli/main.js"]
CMD ["--help"]
