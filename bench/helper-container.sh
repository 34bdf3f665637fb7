#!/bin/sh
# Diagnostic for the container-run benchmark: the engine's own C helper
# (dist/helper/ovl-helper) driven by a shell instead of by Node. Its time
# minus plain-container.sh's is what the helper's fuller set-up costs
# (bind of the root, devpts, /dev/shm, sysfs, device nodes, hostname);
# overlay-tui's time minus this one's is what Node and the TypeScript
# orchestration add.
#
#   helper-container.sh HELPER LOWER DIR [RUN-OPTION...]    (DIR must exist)
#
# RUN-OPTIONs go to `ovl-helper run` (the confinement: --privileged, --mask...).
set -eu
helper=$1
lower=$2
dir=$3
shift 3
merged=$dir/merged

cleanup() {
  # Never delete anything that is still mounted (DESIGN.md, container set-up 7).
  if mountpoint -q "$merged" 2>/dev/null; then "$helper" umount "$merged" || return 1; fi
  rm -rf "$dir/upper" "$dir/work" "$merged" "$dir/pid"
}
trap cleanup EXIT

mkdir "$dir/upper" "$dir/work" "$merged"
"$helper" mount "$lower" "$dir/upper" "$dir/work" "$merged" index=off
"$helper" run --root "$merged" --hostname bench --pid-file "$dir/pid" "$@" -- true
"$helper" umount "$merged"
