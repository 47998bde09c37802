#!/usr/bin/env bash
# Lays out the production tree of the container image from a built checkout:
#   assemble.sh SRC DEST
# SRC must have run `npm run build`. DEST gets each package's package.json and dist/, the
# entrypoint and healthcheck, and production dependencies only (`npm ci --omit=dev`, which
# compiles native modules when no prebuilt binary can be fetched). The Dockerfile runs this,
# and so does `scripts/container/check.sh` in CI, so the image's layout is what CI tests.
set -Eeuo pipefail
src=$(cd "$1" && pwd)
dest=$2
rm -rf "$dest"
mkdir -p "$dest/container"
cp "$src/package.json" "$src/package-lock.json" "$dest/"
for pkg in shared protocol-adapters edge-agent cloud; do
  [[ -d "$src/$pkg/dist" ]] || { echo "assemble: $pkg/dist is missing: run npm run build first" >&2; exit 1; }
  mkdir -p "$dest/$pkg"
  cp "$src/$pkg/package.json" "$dest/$pkg/"
  cp -r "$src/$pkg/dist" "$dest/$pkg/dist"
  find "$dest/$pkg/dist" -name '*.tsbuildinfo' -delete
done
cp "$src/scripts/container/dcmms" "$src/scripts/container/healthcheck.mjs" "$dest/container/"
cd "$dest"
npm ci --omit=dev --no-audit --no-fund --loglevel=error
