# syntax=docker/dockerfile:1
# Stash Sense: face recognition sidecar for Stash. One image for GPU and CPU hosts: with an NVIDIA GPU
# (--gpus all) onnxruntime uses its CUDA execution provider, without one EXECUTION_PROVIDER=auto runs on CPU.
#
# Stages: node (the Node binary) -> base (CUDA + Node) -> build-tools -> build   (install, compile, fetch models)
#                                                      -> runtime-base -> runtime (what ships)
# `build` and `runtime` hold only the app's own steps, with paths relative to WORKDIR:
# scripts/rehearse-docker.ts replays exactly those two stages on a machine without Docker.

# onnxruntime-node 1.30 installs the CUDA execution provider from the Microsoft.ML.OnnxRuntime.Gpu.Linux
# package of the same version. onnxruntime's official GPU builds need CUDA 13.x and cuDNN 9.x from 1.27 on
# (CUDA 12 builds were deprecated then), so the runtime base is a CUDA 13 image with cuDNN 9.
# The `runtime` stage checks the provider's libraries resolve in this image, so a wrong pairing fails the
# build instead of shipping an image that silently falls back to CPU.
ARG CUDA_IMAGE=nvidia/cuda:13.2.1-cudnn-runtime-ubuntu24.04
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS node

# Both stages below start here, so the native addons compiled in `build` (better-sqlite3, hnswlib-node)
# load in `runtime`: same glibc, same libstdc++, same Node binary. The official Node binary needs only
# glibc 2.28, which the Ubuntu base has.
FROM ${CUDA_IMAGE} AS base
COPY --from=node /usr/local/bin/node /usr/local/bin/node
ENV NVIDIA_DRIVER_CAPABILITIES=compute,utility,video

FROM base AS build-tools
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ ca-certificates \
 && rm -rf /var/lib/apt/lists/*
COPY --from=node /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/npm
COPY --from=node /usr/local/include/node /usr/local/include/node
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
# node-gyp compiles against this Node's own headers instead of downloading them.
ENV npm_config_nodedir=/usr/local

FROM build-tools AS build
WORKDIR /app
# cuda12 is onnxruntime-node's name for "install the GPU provider from NuGet"; it fetches the build that
# matches onnxruntime-node's version. Use --build-arg ONNXRUNTIME_NODE_INSTALL=skip for a CPU-only image.
ARG ONNXRUNTIME_NODE_INSTALL=cuda12
# true: also bake the stash-sense profile's weights (InsightFace + FaceNet + ArcFace) into /app/models. The
# runtime sets no MODELS_DIR: the embedded models are found in /app/models (the working directory's models/),
# and the stash-sense profile's in /data/models, where the service's user can download them and where they
# survive an upgrade; run a baked image with MODELS_DIR=/app/models to use the baked ones.
ARG BAKE_STASH_SENSE_MODELS=false
ENV MODELS_DIR=/app/models
# Only what `npm ci` needs (its postinstall fetches the embedded models), so source edits keep this layer.
COPY package.json package-lock.json ./
COPY scripts/fetch-models.mjs scripts/
COPY models/manifest.json models/
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund
COPY . .
RUN npm run build
# Fails on a download or sha256 mismatch, unlike the postinstall's best effort.
RUN --mount=type=cache,target=/root/.npm \
    npm run models:fetch
RUN if [ "$BAKE_STASH_SENSE_MODELS" = true ]; then node bin/stash-sense.js models fetch --profile stash-sense; fi
# bin/stash-sense.js runs src/ through tsx whenever src/ exists, so src/ must not ship. onnxruntime-node
# carries binaries for every platform; only this one's stay (about 250 MB less). The body signal needs only
# MoveNet from @vladmandic/human's models/ (its other models, demo and sources go: about 30 MB less).
RUN --mount=type=cache,target=/root/.npm \
    npm prune --omit=dev --no-audit --no-fund \
 && rm -rf src tsconfig.json tsconfig.build.json \
 && platform="$(node -p 'process.platform + "/" + process.arch')" \
 && find node_modules/onnxruntime-node/bin/napi-v6 -mindepth 2 -maxdepth 2 -type d ! -path "*/$platform" -exec rm -rf {} + \
 && find node_modules/@vladmandic/human/models -type f ! -name 'movenet-lightning.*' -delete \
 && rm -rf node_modules/@vladmandic/human/demo node_modules/@vladmandic/human/assets node_modules/@vladmandic/human/src \
 && test -f node_modules/@vladmandic/human/models/movenet-lightning.bin

FROM base AS runtime-base
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg curl tini ca-certificates \
 && rm -rf /var/lib/apt/lists/*
# unRAID's nobody:users is 99:100; uid 99 is free on Ubuntu and gid 100 is `users`.
RUN useradd --system --uid 99 --gid 100 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin stash-sense \
 && mkdir -p /data \
 && chown 99:100 /data
COPY --chmod=0755 <<'EOF' /usr/local/bin/stash-sense-entrypoint
#!/bin/sh
# Runs the service (or a CLI command) as an unprivileged user that can write DATA_DIR.
# As root (the default): gives DATA_DIR to PUID:PGID (99:100, unRAID's nobody:users, unless set), then
# drops to them, so a host folder Docker created as root works. With `--user`: checks DATA_DIR is writable.
set -eu
data_dir="${DATA_DIR:-/data}"
if command -v mountpoint >/dev/null 2>&1 && [ "$data_dir" = /data ] && ! mountpoint -q /data; then
  echo "stash-sense: /data is not a mounted volume; the face database and stash_sense.db are lost when this container is removed" >&2
fi
if [ "$(id -u)" = 0 ]; then
  uid="${PUID:-99}"
  gid="${PGID:-100}"
  case "$uid:$gid" in
    *[!0-9:]* | :* | *:) echo "stash-sense: PUID and PGID must be numbers (PUID=$uid PGID=$gid)" >&2; exit 64 ;;
  esac
  if [ "$uid" = 0 ]; then
    echo "stash-sense: refusing to run as root; set PUID to an unprivileged user id" >&2
    exit 64
  fi
  mkdir -p "$data_dir"
  # Only entries owned by someone else are changed, so a restart does not walk a large library twice.
  find "$data_dir" \( ! -user "$uid" -o ! -group "$gid" \) -exec chown -h "$uid:$gid" {} +
  exec setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
fi
if ! mkdir -p "$data_dir" 2>/dev/null || [ ! -w "$data_dir" ]; then
  echo "stash-sense: $data_dir is not writable by uid $(id -u) gid $(id -g). Give the host folder to that user" >&2
  echo "  (chown -R $(id -u):$(id -g) <host folder>), or start the container without --user and set PUID/PGID." >&2
  exit 1
fi
exec "$@"
EOF
COPY --chmod=0755 <<'EOF' /usr/local/bin/stash-sense
#!/bin/sh
# `docker exec <container> stash-sense enroll /data/photos` runs the CLI as the service's user.
cd /app && exec /usr/local/bin/stash-sense-entrypoint node /app/bin/stash-sense.js "$@"
EOF

FROM runtime-base AS runtime
WORKDIR /app
ENV NODE_ENV=production \
    HOME=/tmp \
    PORT=5000 \
    DATA_DIR=/data \
    MODEL_PROFILE=embedded \
    EXECUTION_PROVIDER=auto \
    LOG_LEVEL=info \
    PUID=99 \
    PGID=100
COPY --from=build /app /app
# libcuda.so.1 comes from the host driver at run time; everything else the provider links must be here.
RUN <<'EOF'
set -eu
provider=node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so
if [ -f "$provider" ]; then
  missing=$(LD_LIBRARY_PATH="$(dirname "$provider")" ldd "$provider" | awk '/not found/ { print $1 }' | grep -v '^libcuda\.so' || true)
  if [ -n "$missing" ]; then
    echo "The CUDA execution provider needs libraries this base image lacks: $missing" >&2
    echo "Build with a CUDA_IMAGE whose CUDA and cuDNN majors match onnxruntime-node's GPU build (see README)." >&2
    exit 1
  fi
fi
EOF
EXPOSE 5000
# Start-up loads the face database and its indexes (108k performers take minutes from a spinning disk).
HEALTHCHECK --interval=30s --timeout=10s --start-period=10m --retries=3 \
  CMD curl -fsS --max-time 8 "http://127.0.0.1:${PORT}/health" > /dev/null || exit 1
LABEL org.opencontainers.image.title="Stash Sense" \
      org.opencontainers.image.description="Face recognition sidecar for the Stash media server" \
      org.opencontainers.image.licenses="MIT"
ENTRYPOINT ["tini", "--", "stash-sense-entrypoint"]
CMD ["node", "bin/stash-sense.js", "serve"]
