#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Instructions per trapped register access, counted by callgrind inside
# the host's dispatch calls only (--toggle-collect), as
#   (Ir(N accesses) - Ir(0 accesses)) / N
# so the guest bring-up of the setup cancels out.
#
#   bench/callgrind-mmio.sh [BUILD_DIR [N]]     (default build-perf, 100000)
#
# Issue #8 counts at -O2: meson setup build-perf -Dbuildtype=debugoptimized
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-perf}
n=${2:-100000}
exe=$dir/bench/bench-mmio
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

command -v valgrind >/dev/null || { echo "callgrind: SKIP (no valgrind)"; exit 0; }

ir() {    # register, accesses -> Ir inside the dispatch functions
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
        --toggle-collect=smmu_ext_instance_mmio_read \
        --toggle-collect=smmu_ext_instance_mmio_write \
        "$exe" --one "$1" "$2" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$out/cg"
}

echo "instructions per access (callgrind, dispatch call inclusive, N=$n)"
for reg in $("$exe" --list); do
    base=$(ir "$reg" 0)
    full=$(ir "$reg" "$n")
    awk -v r="$reg" -v a="$base" -v b="$full" -v n="$n" \
        'BEGIN { printf "  %-20s %6.1f\n", r, (b - a) / n }'
done
