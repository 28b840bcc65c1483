#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Instructions per trapped register access, counted by callgrind inside
# the function the host calls only (--toggle-collect, callees included), as
#   (Ir(N accesses) - Ir(0 accesses)) / N
# so the guest bring-up of the setup cancels out.  By default the host
# calls the module's direct handlers (smmu_ext_instance_mmio_handlers, as
# QEMU does): tegra241_mmio_read/write are counted.  With "dispatch" the
# host calls smmu_ext_instance_mmio_read/write, counted with the module.
#
#   bench/callgrind-mmio.sh [BUILD_DIR [N [direct|dispatch]]]
#                                   (default build-perf, 100000, direct)
#
# Issue #8 counts at -O2: meson setup build-perf -Dbuildtype=debugoptimized
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-build-perf}
n=${2:-100000}
path=${3:-direct}
exe=$dir/bench/bench-mmio
case $path in
direct)   flag=;           fns=(tegra241_mmio_read tegra241_mmio_write) ;;
dispatch) flag=--dispatch; fns=(smmu_ext_instance_mmio_read
                                smmu_ext_instance_mmio_write) ;;
*) echo "callgrind-mmio.sh: path is direct or dispatch" >&2; exit 2 ;;
esac
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

command -v valgrind >/dev/null || { echo "callgrind: SKIP (no valgrind)"; exit 0; }

ir() {    # register, accesses -> Ir inside the called functions
    valgrind --tool=callgrind --callgrind-out-file="$out/cg" \
        "${fns[@]/#/--toggle-collect=}" \
        "$exe" $flag --one "$1" "$2" >/dev/null 2>&1
    awk '/^summary:/ { print $2 }' "$out/cg"
}

echo "instructions per access (callgrind, ${fns[*]} inclusive, N=$n)"
for reg in $("$exe" --list); do
    base=$(ir "$reg" 0)
    full=$(ir "$reg" "$n")
    awk -v r="$reg" -v a="$base" -v b="$full" -v n="$n" \
        'BEGIN { printf "  %-20s %6.1f\n", r, (b - a) / n }'
done | tee "$out/all"
sort -n -k2 "$out/all" | awk '{ v[NR] = $2 } END {
    m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
    printf "  %-20s %6.1f\n", "median", m }'
