#!/bin/sh
# Builds ovl-helper into OUTDIR. Needs a C compiler (the same build tools
# node-pty needs). Static when libc.a is there, so that nothing it loads can
# be swapped under it; dynamic otherwise. Built under a temporary name and
# renamed into place, so a running program never finds it half-written.
set -eu
out=${1:?usage: build.sh OUTDIR}
here=$(dirname "$0")
cc=${CC:-cc}
mkdir -p "$out"
tmp="$out/.ovl-helper.$$"
trap 'rm -f "$tmp"' EXIT
flags="-O2 -Wall -Wextra -Werror -std=c11"
if ! $cc $flags -static -o "$tmp" "$here/ovl-helper.c" 2>/dev/null; then
  $cc $flags -o "$tmp" "$here/ovl-helper.c"
fi
mv -f "$tmp" "$out/ovl-helper"
