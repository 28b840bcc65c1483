#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# CI: a short, bounded libFuzzer run of every target (about a minute in
# all).  Builds with clang, ASan+UBSan and coverage in build-fuzz/; prints
# a skip and succeeds when clang or its fuzzer runtime is missing.
#
#   tests/fuzz/run-ci.sh [SECONDS_PER_TARGET]     (default 10)
#
# Seeds are copied: libFuzzer adds what it finds to the first corpus
# directory, and the checked-in corpus must only change on purpose.
# Crashes are written to build-fuzz/fuzz-artifacts/.
set -uo pipefail
cd "$(dirname "$0")/../.."

secs=${1:-10}
runs=2000000
dir=build-fuzz
targets="mmio-accel mmio-emul pump desc replay"

if ! command -v clang >/dev/null; then
    echo "fuzz: SKIP (clang not installed)"
    exit 0
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
        clang -x c -fsanitize=fuzzer,address -o /dev/null - 2>/dev/null; then
    echo "fuzz: SKIP (no libFuzzer runtime: install libclang-rt-14-dev)"
    exit 0
fi

# Everything instrumented for coverage, only the fuzz binaries get
# libFuzzer's main; sanitizer runtime shared with the library.
if [ ! -f "$dir/build.ninja" ]; then
    CC=clang meson setup "$dir" -Dfuzz=true -Dbuildtype=debugoptimized \
        -Db_sanitize=address,undefined -Db_lundef=false \
        -Dc_args=-fsanitize=fuzzer-no-link >"$dir.setup.log" 2>&1 ||
        { cat "$dir.setup.log"; exit 1; }
fi
ninja -C "$dir" $(for t in $targets; do echo "tests/fuzz/fuzz-$t"; done) ||
    exit 1

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export G_DEBUG=fatal-criticals G_SLICE=always-malloc
art="$dir/fuzz-artifacts"
mkdir -p "$art"
status=0
for t in $targets; do
    seeds=tests/fuzz/corpus/${t%-accel}
    seeds=${seeds%-emul}
    work=$(mktemp -d)
    cp -r "$seeds"/. "$work"/
    if [ "$t" = replay ]; then
        cp tests/replay/*.replay "$work"/ 2>/dev/null
    fi
    echo "=== fuzz-$t: ${secs}s, at most $runs runs"
    if "$dir/tests/fuzz/fuzz-$t" -max_total_time="$secs" -runs="$runs" \
            -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
            -artifact_prefix="$art/$t-" "$work" >"$art/$t.log" 2>&1; then
        grep -E "^(Done|stat::number_of_executed_units|stat::peak_rss)" \
            "$art/$t.log"
    else
        echo "fuzz-$t: FAILED (log: $art/$t.log)"
        tail -40 "$art/$t.log"
        status=1
    fi
    rm -rf "$work"
done
exit $status
