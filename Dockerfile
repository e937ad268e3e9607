# syntax=docker/dockerfile:1.7
#
# One Dockerfile, one target per Parley process (docker build --target <name> .):
#   auth, user, chat-socket, persistence-worker   the services (node services/<svc>/dist/main.js)
#   operator                                      the Kubernetes operator (services/operator)
#   key-bootstrap                                 the chart's signing-key hook job (tools/key-bootstrap)
#   web                                           the browser client and its static server (services/web)
#
# Every runtime image holds only compiled JavaScript (dist/) and the production dependencies of
# its own workspace, runs as the numeric non-root user 10001, and works with a read-only root
# filesystem (the chart mounts emptyDirs at /tmp and /var/lib/parley). CMD is exec form, so
# SIGTERM reaches node directly and the service drains and exits 0.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base
WORKDIR /app
ENV NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false

# Native addons (argon2) may need compiling when no prebuilt binary matches.
FROM base AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*

# Only the lockfile and every workspace's package.json: `npm ci` below stays cached until a
# dependency changes, whatever source file changed.
FROM base AS manifests
COPY . /src
RUN mkdir -p /manifests \
 && cd /src \
 && cp package.json package-lock.json .npmrc /manifests/ \
 && find packages services tools -mindepth 2 -maxdepth 2 -name package.json -exec cp --parents {} /manifests/ \;

# ---------------------------------------------------------------------------------------------
# Build: every workspace the images need, compiled with the repo's own `tsc -b` build.
FROM toolchain AS build
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm \
    npm ci --include-workspace-root \
      --workspace services/auth --workspace services/user \
      --workspace services/chat-socket --workspace services/persistence-worker \
      --workspace services/operator --workspace tools/key-bootstrap --workspace services/web
COPY . .
# The context may carry a developer's dist/ folders (Tilt syncs them into running pods): drop
# them, build info included, so the image is always compiled from source.
RUN rm -rf packages/*/dist services/*/dist tools/*/dist services/web/dist-server \
 && npx tsc -b services/auth services/user services/chat-socket services/persistence-worker services/operator tools/key-bootstrap \
 # The web client: Vite bundle (dist/) and its static server (dist-server/).
 && npm run build --workspace services/web \
 # Runtime tree: package.json + dist/ of each built workspace, without declarations,
 # source maps and build info.
 && mkdir -p /runtime \
 && for dir in packages/* services/* tools/*; do \
      if [ -d "$dir/dist" ]; then mkdir -p "/runtime/$dir" && cp -r "$dir/package.json" "$dir/dist" "/runtime/$dir/"; fi; \
    done \
 && cp -r services/web/dist-server /runtime/services/web/ \
 && find /runtime \( -name '*.d.ts' -o -name '*.map' -o -name '.tsbuildinfo' -o -name '*.test.js' \) -delete

# ---------------------------------------------------------------------------------------------
# Production dependencies, one stage per image: `npm ci --omit=dev` limited to that workspace.
# npm places a package in a workspace's own node_modules (packages/tracing/node_modules) when
# another version of it sits at the top level; each image copies those folders too, one COPY
# per folder. tools/chart-tests/test/dockerfile-dependencies.test.ts derives the list from
# package-lock.json and fails when an image leaves one out.
FROM toolchain AS auth-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace services/auth

FROM toolchain AS user-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace services/user

FROM toolchain AS chat-socket-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace services/chat-socket

FROM toolchain AS persistence-worker-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace services/persistence-worker

FROM toolchain AS operator-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace services/operator

FROM toolchain AS web-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace services/web

FROM toolchain AS key-bootstrap-deps
COPY --from=manifests /manifests/ ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --workspace tools/key-bootstrap

# ---------------------------------------------------------------------------------------------
FROM base AS runtime
# Owner of the application files: root (read-only to the app user). The Tilt dev loop builds
# with APP_OWNER=10001:10001 so live update can sync compiled code into running containers.
ARG APP_OWNER=0:0
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.vendor="Parley" \
      org.opencontainers.image.licenses="UNLICENSED" \
      org.opencontainers.image.source="https://github.com/parley/parley" \
      org.opencontainers.image.documentation="https://github.com/parley/parley/tree/main/charts/parley" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"
# Two malloc arenas instead of glibc's 8 per core: about a fifth less RSS per idle socket
# (docs/performance.md), the same default `npm start` gives its services.
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    PARLEY_VERSION=${VERSION} \
    PARLEY_REVISION=${REVISION} \
    DATA_DIR=/var/lib/parley
COPY --chown=${APP_OWNER} --from=build /app/package.json ./package.json
COPY --chown=${APP_OWNER} --from=build /runtime/packages ./packages
# The only writable paths; with a read-only root filesystem they are emptyDir mounts.
RUN mkdir -p /var/lib/parley && chown 10001:10001 /var/lib/parley
USER 10001:10001

FROM runtime AS auth
LABEL org.opencontainers.image.title="parley-auth" \
      org.opencontainers.image.description="Parley auth service: accounts, ES256 access tokens, JWKS, refresh tokens"
COPY --from=auth-deps /app/node_modules ./node_modules
COPY --from=auth-deps /app/packages/tracing/node_modules ./packages/tracing/node_modules
ARG APP_OWNER=0:0
COPY --chown=${APP_OWNER} --from=build /runtime/services/auth ./services/auth
EXPOSE 8081
CMD ["node", "services/auth/dist/main.js"]

FROM runtime AS user
LABEL org.opencontainers.image.title="parley-user" \
      org.opencontainers.image.description="Parley user service: profiles, search, friends, blocks"
COPY --from=user-deps /app/node_modules ./node_modules
COPY --from=user-deps /app/packages/tracing/node_modules ./packages/tracing/node_modules
ARG APP_OWNER=0:0
COPY --chown=${APP_OWNER} --from=build /runtime/services/user ./services/user
EXPOSE 8082
CMD ["node", "services/user/dist/main.js"]

FROM runtime AS chat-socket
LABEL org.opencontainers.image.title="parley-chat-socket" \
      org.opencontainers.image.description="Parley chat-socket service: socket.io with the Redis adapter, rooms, history, presence"
COPY --from=chat-socket-deps /app/node_modules ./node_modules
COPY --from=chat-socket-deps /app/packages/tracing/node_modules ./packages/tracing/node_modules
ARG APP_OWNER=0:0
COPY --chown=${APP_OWNER} --from=build /runtime/services/chat-socket ./services/chat-socket
EXPOSE 8083
CMD ["node", "services/chat-socket/dist/main.js"]

FROM runtime AS persistence-worker
LABEL org.opencontainers.image.title="parley-persistence-worker" \
      org.opencontainers.image.description="Parley persistence worker: BullMQ consumers for messages, notifications and mail"
COPY --from=persistence-worker-deps /app/node_modules ./node_modules
COPY --from=persistence-worker-deps /app/packages/tracing/node_modules ./packages/tracing/node_modules
ARG APP_OWNER=0:0
COPY --chown=${APP_OWNER} --from=build /runtime/services/persistence-worker ./services/persistence-worker
EXPOSE 8084
CMD ["node", "services/persistence-worker/dist/main.js"]

FROM runtime AS operator
LABEL org.opencontainers.image.title="parley-operator" \
      org.opencontainers.image.description="Parley operator: ChatPlatform reconciler for signing-key rotation, socket rebalancing and status"
COPY --from=operator-deps /app/node_modules ./node_modules
COPY --from=operator-deps /app/packages/tracing/node_modules ./packages/tracing/node_modules
ARG APP_OWNER=0:0
COPY --chown=${APP_OWNER} --from=build /runtime/services/operator ./services/operator
EXPOSE 8086
CMD ["node", "services/operator/dist/main.js"]

FROM runtime AS key-bootstrap
LABEL org.opencontainers.image.title="parley-key-bootstrap" \
      org.opencontainers.image.description="Creates the auth signing-key Secret when it is missing (Helm hook job)"
COPY --from=key-bootstrap-deps /app/node_modules ./node_modules
ARG APP_OWNER=0:0
COPY --chown=${APP_OWNER} --from=build /runtime/tools/key-bootstrap ./tools/key-bootstrap
CMD ["node", "tools/key-bootstrap/dist/main.js"]

FROM runtime AS web
LABEL org.opencontainers.image.title="parley-web" \
      org.opencontainers.image.description="Parley web client: the single-page app and its static server"
COPY --from=web-deps /app/node_modules ./node_modules
COPY --from=web-deps /app/packages/tracing/node_modules ./packages/tracing/node_modules
ARG APP_OWNER=0:0
COPY --chown=${APP_OWNER} --from=build /runtime/services/web ./services/web
EXPOSE 8085
CMD ["node", "services/web/dist-server/main.js"]
