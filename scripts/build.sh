#!/bin/sh
# Builds dist/: the CLI bundled by esbuild (a chunk per lazily loaded part,
# so a headless run loads no UI), a few engine modules as entries of their
# own (the benchmarks load them), and the C helper. tsc only type-checks.
set -eu
cd "$(dirname "$0")/.."
# Old chunks would linger under new names; dist/bench (compiled
# benchmarks) is left alone.
mkdir -p dist
find dist -maxdepth 1 -name '*.js' -delete
rm -rf dist/engine dist/overlay dist/commands dist/ui
common="--bundle --splitting --outbase=src --outdir=dist --platform=node --format=esm --target=node20 --log-level=warning"
# The CLI alone: every extra entry point would split its shared code into
# more chunks, and each chunk is a file to load at start-up. Its pure
# JavaScript dependencies are bundled in: ink alone is ~540 files (415 of
# them es-toolkit), and loading them one by one was most of the app's
# start-up. Native addons stay outside, and so does react-devtools-core,
# which ink imports only with DEV=true. CommonJS dependencies (react) call
# require(), which an ES module lacks: the banner makes one. Through
# esbuild's API, for one build-time change to Ink (see bundle-cli.mjs).
node scripts/bundle-cli.mjs
# The modules the benchmarks load, bundled apart (dependencies outside).
npx esbuild \
  src/engine/state-root.ts \
  src/engine/image/store.ts \
  src/engine/image/digest.ts \
  src/engine/image/layer-extract.ts \
  src/engine/image/blob-decompress.ts \
  src/overlay/index.ts \
  src/engine/layers/lower-loader.ts \
  src/engine/layers/classify-container.ts \
  src/engine/layers/layer-report.ts \
  src/engine/watch/upper-watcher.ts \
  src/engine/runtime/oci-config.ts \
  src/engine/confine/profile.ts \
  src/engine/confine/helper-args.ts \
  $common --packages=external
sh src/engine/helper/build.sh dist/helper
