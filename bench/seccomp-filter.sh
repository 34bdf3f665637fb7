#!/bin/sh
# The seccomp filter's cost in the helper, outside the run benchmark: the
# default profile's rules (Docker's 14 capabilities) read and built
# (ovl_seccomp_read) and installed (ovl_seccomp_load), each pair in a fresh
# process as the helper does it, N times; cold without the cached program,
# warm with it. CPU time is what the filter costs; wall time also shows how
# busy the machine was. Run as root (needs cc, libseccomp-dev).
#
#   sh bench/seccomp-filter.sh [N]     (default 50)
set -eu
n=${1:-50}
cd "$(dirname "$0")/.."
dir=$(mktemp -d /tmp/ovt-seccomp-bench-XXXXXX)
trap 'rm -rf "$dir"' EXIT
src=src/engine/helper
cc -O2 -static -std=c11 -iquote "$src" -o "$dir/probe" test/support/seccomp-probe.c \
  "$src/seccomp.c" "$src/seccomp-parse.c" -lseccomp 2>/dev/null ||
  cc -O2 -std=c11 -iquote "$src" -o "$dir/probe" test/support/seccomp-probe.c \
    "$src/seccomp.c" "$src/seccomp-parse.c" -lseccomp
npx esbuild --bundle --platform=node --format=esm --log-level=warning \
  src/engine/confine/seccomp.ts --outfile="$dir/seccomp.mjs"
node --input-type=module -e "
  import { seccompFor, helperSeccompRules } from '$dir/seccomp.mjs';
  const caps = 'CHOWN DAC_OVERRIDE FSETID FOWNER MKNOD NET_RAW SETGID SETUID SETFCAP SETPCAP NET_BIND_SERVICE SYS_CHROOT KILL AUDIT_WRITE';
  process.stdout.write(helperSeccompRules(seccompFor({ kind: 'default' }, caps.split(' ').map((c) => 'CAP_' + c))));
" >"$dir/default.rules"
stats() { # column of ns -> "median (p10-p90) ms"
  awk -v c="$1" '{ print $c }' | sort -n | awk '{ a[NR] = $1 } END {
    m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
    printf "%.2f (%.2f-%.2f) ms", m / 1e6, a[int(NR * 0.1) + 1] / 1e6, a[int(NR * 0.9)] / 1e6 }'
}
echo "rules: $(wc -l <"$dir/default.rules") lines, $(wc -c <"$dir/default.rules") bytes; $n runs each"
for mode in cold warm; do
  "$dir/probe" "$dir/default.rules" time "$n" "$mode" >"$dir/$mode.txt"
  echo "$mode read+build: cpu $(stats 3 <"$dir/$mode.txt"), wall $(stats 2 <"$dir/$mode.txt")"
  echo "$mode install:    cpu $(stats 6 <"$dir/$mode.txt"), wall $(stats 5 <"$dir/$mode.txt")"
done
echo "cached program: $(wc -c <"$dir/default.rules.bpf") bytes"
