#!/bin/sh
# Builds ovl-helper into OUTDIR from every .c file beside this script.
# Needs a C compiler (the same build tools node-pty needs) and libseccomp
# (Debian's libseccomp-dev) for the container's syscall filter. Static when
# libc.a and libseccomp.a are there, so that nothing it loads can be swapped
# under it; dynamic otherwise. Built under a temporary name and renamed into
# place, so a running program never finds it half-written.
set -eu
out=${1:?usage: build.sh OUTDIR}
here=$(dirname "$0")
cc=${CC:-cc}
mkdir -p "$out"
tmp="$out/.ovl-helper.$$"
trap 'rm -f "$tmp"' EXIT
if [ ! -e /usr/include/seccomp.h ]; then
  echo "ovl-helper needs libseccomp: install it with 'apt-get install libseccomp-dev'" >&2
  exit 1
fi
flags="-O2 -Wall -Wextra -Werror -std=c11"
if ! $cc $flags -static -o "$tmp" "$here"/*.c -lseccomp 2>/dev/null; then
  $cc $flags -o "$tmp" "$here"/*.c -lseccomp
fi
mv -f "$tmp" "$out/ovl-helper"
