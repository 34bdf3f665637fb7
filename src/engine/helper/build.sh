#!/bin/sh
# Builds ovl-helper into OUTDIR. Needs a C compiler (the same build tools
# node-pty needs). Static when libc.a is there, so that nothing it loads can
# be swapped under it; dynamic otherwise.
set -eu
out=${1:?usage: build.sh OUTDIR}
here=$(dirname "$0")
cc=${CC:-cc}
mkdir -p "$out"
flags="-O2 -Wall -Wextra -Werror -std=c11"
if ! $cc $flags -static -o "$out/ovl-helper" "$here/ovl-helper.c" 2>/dev/null; then
  $cc $flags -o "$out/ovl-helper" "$here/ovl-helper.c"
fi
