#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# kernel-suite.sh BUILD_DIR SOURCE_DIR TEST
#
# One test of the `kernel` suite: build (or take from the cache) the x86_64
# kernel with the iommufd mock driver, pack this build's programs into an
# initramfs, boot it under QEMU and judge what the guest printed.
#   conformance  the scenarios on the real kernel (REAL seam): no failed
#                check, the transcript equals tests/kernel/conformance.expected,
#                and equals the simulator's transcript of the same build,
#                call for call (the first difference names the call)
#   sweep        the fail-nth fault sweep of the sweep scenarios
#   probe        `smmu-ext probe --iommufd-fd FD --dev-id ID` on a mock
#                device: the selftest extension is selected and reported
# Prints "result ..." lines; the guest's console is kept in
# BUILD_DIR/tests/kernel/TEST.guest.log.  Nothing skips: an artefact that
# cannot be built fails the test with the reason.
set -euo pipefail

[ $# = 3 ] || { echo "usage: $0 BUILD_DIR SOURCE_DIR TEST" >&2; exit 2; }
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
test=$3
here=$src/tests/kernel
out=$build/tests/kernel
mkdir -p "$out"

fail() { echo "result $test FAIL: $*"; exit 1; }

bzimage=$(bash "$here/build-kernel.sh") ||
    fail "the kernel could not be built (see the messages above)"

mods=$build/plugins/smmu-ext/tegra241:$build/plugins/smmu-ext/selftest:$build/plugins/smmu-ext/example
conf=$build/tests/kernel/conformance-kernel
tool=$build/tools/smmu-ext
files=("$conf" "$tool" "$here/conformance.expected"
       "$build/plugins/smmu-ext/tegra241/smmu-ext-tegra241.so"
       "$build/plugins/smmu-ext/selftest/smmu-ext-selftest.so"
       "$build/plugins/smmu-ext/example/smmu-ext-example.so")
for f in "${files[@]}"; do
    [ -e "$f" ] || fail "$f is missing (build the tree first)"
done

run=$out/$test.run.sh
{
    echo "export SMMU_EXT_MODULE_DIR=$mods G_DEBUG=fatal-criticals"
    echo "echo @@BEGIN $test"
    case $test in
    conformance)
        echo "$conf --kernel --expect $here/conformance.expected"
        ;;
    sweep)
        echo "$conf --kernel --sweep"
        ;;
    probe)
        echo "$conf --kernel --with-mock -- $tool probe --iommufd-fd @FD@ --dev-id @DEV@"
        echo "rc1=\$?"
        echo "$conf --kernel --with-mock -- $tool probe --iommufd-fd @FD@ --dev-id @DEV@ --cmdqv selftest --json"
        echo "rc2=\$?; [ \$rc1 = 0 ] && [ \$rc2 = 0 ]"
        ;;
    *)
        echo "unknown test $test" >&2; exit 2 ;;
    esac
    echo "echo @@END $test rc=\$?"
} >"$run"

initrd=$(bash "$here/build-initramfs.sh" "$run" "${files[@]}") ||
    fail "the initramfs could not be built"
log=$out/$test.guest.log
start=$(date +%s)
guest_rc=0
bash "$here/run-guest.sh" "$bzimage" "$initrd" "$log" || guest_rc=$?
echo "result $test guest: rc $guest_rc in $(( $(date +%s) - start )) s"

body=$out/$test.out
sed -n "/^@@BEGIN $test\$/,/^@@END $test /p" "$log" | sed '1d;$d' >"$body"
end=$(grep -m1 "^@@END $test " "$log" || true)
[ -n "$end" ] || fail "the guest printed no end marker (log: $log)"
grep '^result ' "$body" || true
rc=${end##*rc=}

case $test in
conformance)
    # The kernel's transcript against this build's simulator.
    # The transcript ends where the verdicts ("result ...") begin.
    sed '/^result /,$d' "$body" >"$out/kernel.transcript"
    SMMU_EXT_MODULE_DIR=$mods "$build/tests/kernel/conformance" --sim \
        >"$out/sim.transcript.raw" || true
    sed '/^result /,$d' "$out/sim.transcript.raw" >"$out/sim.transcript"
    if ! d=$(diff -u "$out/kernel.transcript" "$out/sim.transcript"); then
        first=$(printf '%s\n' "$d" | grep -m1 '^[-+][^-+]' || true)
        scen=$(printf '%s\n' "$d" | grep -m1 '^@@' || true)
        echo "result conformance FAIL: the simulator differs from the kernel ($scen): $first"
        printf '%s\n' "$d" | head -n 40
        rc=1
    else
        echo "result conformance ok: kernel and simulator agree on $(wc -l <"$out/kernel.transcript") lines"
    fi
    ;;
probe)
    grep -q '^extension: selftest ' "$body" ||
        { echo "result probe FAIL: the report names no selftest extension"; rc=1; }
    grep -q '"name": *"selftest"\|"extension": *"selftest"' "$body" ||
        { echo "result probe FAIL: the JSON report names no selftest extension"; rc=1; }
    [ "$rc" != 0 ] || echo "result probe ok: selftest selected and reported"
    sed -n '1,40p' "$body"
    ;;
esac
[ "$guest_rc" = 0 ] || rc=1
exit "$rc"
