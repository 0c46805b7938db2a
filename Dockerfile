# syntax=docker/dockerfile:1.7
# StableQueue headless server (the engine + the web UI), for Unraid and any Docker host.
#   docker build -t stablequeue .
#   docker run -d -p 3000:3000 -v ./config:/config -v ./outputs:/outputs stablequeue
# See docs/docker.md for every variable.

ARG NODE_VERSION=24

# --- build: install everything, build the UI, then keep production modules only ------
FROM node:${NODE_VERSION}-slim AS build
WORKDIR /app
# No Electron binary is needed to build the server; no install scripts either
# (better-sqlite3 and sharp ship prebuilt binaries; keytar is desktop-only). Without
# them the pinned `node` devDependency stays an empty package, so the build runs under
# this image's Node 24, and the prune below removes it.
ENV ELECTRON_SKIP_BINARY_DOWNLOAD=1 \
    npm_config_audit=false \
    npm_config_fund=false \
    npm_config_update_notifier=false
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY . .
RUN npm run build \
 && npm prune --omit=dev --ignore-scripts \
 && node -e "new (require('better-sqlite3'))(':memory:').close(); require('sharp')"

# --- runtime ------------------------------------------------------------------------
FROM node:${NODE_VERSION}-slim AS runtime
# tini: PID 1 that forwards signals and reaps; gosu: drops root to PUID:PGID.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini gosu \
 && rm -rf /var/lib/apt/lists/* \
 && gosu nobody true

WORKDIR /app
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    CONFIG_DATA_PATH=/config \
    STABLE_DIFFUSION_SAVE_PATH=/outputs \
    CHECKPOINT_PATH=/models/checkpoints \
    LORA_PATH=/models/loras \
    PUID=1000 \
    PGID=1000

# The server runs from its TypeScript sources (Node 24 strips the types), exactly as
# `npm run serve` does; the UI is the Vite build.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/electron ./electron
COPY --from=build /app/shared ./shared
COPY --from=build /app/dist/renderer ./dist/renderer
COPY --from=build /app/scripts/healthcheck.mjs ./scripts/healthcheck.mjs

COPY --chmod=0755 <<'ENTRYPOINT_SH' /usr/local/bin/stablequeue-entrypoint
#!/bin/sh
# Runs the command as PUID:PGID (the linuxserver/Unraid convention; Unraid uses 99:100).
# /config is made theirs; of /outputs (often a share used by other tools) only the top
# folder. Started with --user, the container is already unprivileged: nothing to change.
set -eu
if [ "$(id -u)" != "0" ]; then
  exec "$@"
fi
PUID="${PUID:-1000}"
PGID="${PGID:-1000}"
for id in "$PUID" "$PGID"; do
  case "$id" in
    ''|*[!0-9]*) echo "stablequeue: PUID and PGID must be numbers (PUID=${PUID} PGID=${PGID})" >&2; exit 64 ;;
  esac
done
for dir in "$CONFIG_DATA_PATH" "$STABLE_DIFFUSION_SAVE_PATH"; do
  mkdir -p "$dir"
done
if ! find "$CONFIG_DATA_PATH" \( ! -user "$PUID" -o ! -group "$PGID" \) -exec chown -h "$PUID:$PGID" {} + 2>/dev/null; then
  echo "stablequeue: warning: could not give $CONFIG_DATA_PATH to $PUID:$PGID" >&2
fi
if ! chown "$PUID:$PGID" "$STABLE_DIFFUSION_SAVE_PATH" 2>/dev/null; then
  echo "stablequeue: warning: could not give $STABLE_DIFFUSION_SAVE_PATH to $PUID:$PGID (it must be writable by them)" >&2
fi
if [ "$PUID" = "0" ]; then
  echo "stablequeue: warning: running as root (PUID=0)" >&2
fi
exec gosu "$PUID:$PGID" "$@"
ENTRYPOINT_SH

RUN mkdir -p /config /outputs /models/checkpoints /models/loras
VOLUME ["/config", "/outputs"]
EXPOSE 3000

HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/scripts/healthcheck.mjs"]

ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/stablequeue-entrypoint"]
CMD ["node", "electron/headless.ts"]
