#!/bin/sh
# The reference for the container-run benchmark: the same overlay mount,
# namespaces, pivot_root and teardown as `overlay-tui run -- true`, done with
# util-linux only, so the engine's cost can be compared with the bare minimum.
#
#   plain-container.sh LOWER DIR    (DIR must exist; upper/work/merged are made in it)
set -eu
lower=$1
dir=$2
merged=$dir/merged

cleanup() {
  # Never delete anything that is still mounted (DESIGN.md, container set-up 7).
  if mountpoint -q "$merged" 2>/dev/null; then umount "$merged" || return 1; fi
  rm -rf "$dir/upper" "$dir/work" "$merged"
}
trap cleanup EXIT

mkdir "$dir/upper" "$dir/work" "$merged"
mount -t overlay overlay -o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work,index=off" "$merged"

# Inside: / private first (pivot_root refuses a shared root), then proc and a
# tmpfs /dev, then pivot_root . . as runc does (the old root is stacked on the
# new one and detached), so no .oldroot is written to upper. After the
# detach only the image's own binaries exist: `true` is busybox's.
unshare --mount --uts --ipc --pid --net --fork sh -c '
  set -e
  mount --make-rprivate /
  cd "$1"
  mount -t proc -o nosuid,noexec,nodev proc proc
  mount -t tmpfs -o nosuid,mode=755 tmpfs dev
  pivot_root . .
  umount -l .
  cd /
  exec true
' plain-container "$merged"
