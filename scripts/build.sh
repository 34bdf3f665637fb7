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
common="--bundle --splitting --outbase=src --outdir=dist --platform=node --format=esm --target=node20 --packages=external --log-level=warning"
# The CLI alone: every extra entry point would split its shared code into
# more chunks, and each chunk is a file to load at start-up.
npx esbuild src/cli.ts $common
# The modules the benchmarks load, bundled apart.
npx esbuild \
  src/engine/state-root.ts \
  src/engine/image/store.ts \
  src/engine/image/digest.ts \
  src/overlay/index.ts \
  src/engine/layers/lower-loader.ts \
  src/engine/layers/classify-container.ts \
  src/engine/watch/upper-watcher.ts \
  $common
sh src/engine/helper/build.sh dist/helper
