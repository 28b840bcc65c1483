#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# The patched QEMU's command line: arm-smmuv3 lists cmdqv; each bad
# cmdqv= gives one clear error and exit status 1; good values select what
# they should (read back with QMP qom-get cmdqv-selected).  TAP output.
#
#   tests/qemu/test-cli.sh [QEMU]
#
# QEMU defaults to $SMMU_EXT_QEMU, else to what qemu/build.sh prints (it
# builds, or takes from the cache, the patched qemu-system-aarch64).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
qemu=${1:-${SMMU_EXT_QEMU:-}}
if [ -z "$qemu" ]; then
    qemu=$("$repo/qemu/build.sh" | tail -n 1) || {
        echo "Bail out! qemu/build.sh failed"; exit 1; }
fi
[ -x "$qemu" ] || { echo "Bail out! no QEMU at $qemu"; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() {
    n=$((n + 1))
    if [ "$1" = 0 ]; then
        echo "ok $n - $2"
    else
        echo "not ok $n - $2"
        failed=$((failed + 1))
        sed 's/^/# /' "$tmp/err" 2>/dev/null | head -n 20
    fi
}

# A machine with one user-created SMMUv3 on pcie.0 and extra properties.
run() {
    local props=$1
    shift
    timeout 60 "$@" "$qemu" -M virt -accel qtest -display none -nic none \
        -nodefaults -S -qmp stdio \
        -device "arm-smmuv3,primary-bus=pcie.0,id=smmu0${props:+,$props}" \
        <"$tmp/qmp" >"$tmp/out" 2>"$tmp/err"
}

printf '%s\n' '{"execute": "qmp_capabilities"}' \
    '{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/smmu0", "property": "cmdqv-selected"}}' \
    '{"execute": "quit"}' >"$tmp/qmp"

# The realize fails with exit status 1 and exactly one line on stderr (a
# simulated host's info lines at exit aside) that contains every one of
# the given fragments.
fails_with() {
    local st=$1 f
    shift
    [ "$st" = 1 ] || { echo "exit status $st, not 1" >>"$tmp/err"; return 1; }
    grep -v ': info: ' "$tmp/err" >"$tmp/err1"
    [ "$(wc -l <"$tmp/err1")" = 1 ] ||
        { echo "not one line of error" >>"$tmp/err"; return 1; }
    for f in "$@"; do
        grep -qF -- "$f" "$tmp/err1" ||
            { echo "missing: $f" >>"$tmp/err"; return 1; }
    done
}

# Runs, and QMP reports this selection.
selects() {
    local st=$1 want=$2
    [ "$st" = 0 ] || { echo "exit status $st" >>"$tmp/err"; return 1; }
    grep -qF "\"return\": \"$want\"" "$tmp/out" ||
        { cat "$tmp/out" >>"$tmp/err"; return 1; }
}

echo "TAP version 13"

# 1. The property is always there.
"$qemu" -M virt -device arm-smmuv3,help >"$tmp/out" 2>"$tmp/err"
grep -q '^  cmdqv=<str>' "$tmp/out" && grep -q '^  cmdqv-selected=<string>' "$tmp/out"
ok $? "arm-smmuv3,help lists cmdqv and cmdqv-selected"
# Control: the same check fails for a property that does not exist.
! grep -q '^  cmdqv-nonexistent=<str>' "$tmp/out"
ok $? "control: the help check rejects an absent property"

# 2. Good values.
run "cmdqv=tegra241"; selects $? tegra241
ok $? "cmdqv=tegra241 runs emulated without a host"
run "cmdqv=off"; selects $? none
ok $? "cmdqv=off selects none"
run ""; st=$?
selects $st none && [ "$(grep -c 'cmdqv=auto' "$tmp/err")" = 1 ]
ok $? "cmdqv=auto (default) selects none and says so once"
# Control: selects() notices a wrong answer.
run "cmdqv=tegra241"; ! selects $? none
ok $? "control: the selection check rejects a wrong answer"

# 3. Bad values: one clear error, exit 1.
run "cmdqv=bogus"; fails_with $? "invalid cmdqv mode 'bogus'" "off, on, auto" \
    "tegra241"
ok $? "cmdqv=bogus fails, listing the values and the installed extensions"
run "cmdqv=on"; fails_with $? "cmdqv=on needs a host iommufd"
ok $? "cmdqv=on without a host fails"
run "cmdqv="; fails_with $? "invalid cmdqv mode ''"
ok $? "an empty cmdqv= fails"

# 4. A library with no modules: a copy outside its build tree has no
# built-in module directory of its own, so only SMMU_EXT_MODULE_DIR counts.
mkdir -p "$tmp/lib" "$tmp/empty"
for f in "$(dirname "$qemu")"/lib/libsmmu-ext.so.*; do
    [ -f "$f" ] && cp -L "$f" "$tmp/lib/"
done
if [ -n "$(ls "$tmp/lib")" ]; then
    run "cmdqv=tegra241" env LD_LIBRARY_PATH="$tmp/lib" \
        SMMU_EXT_MODULE_DIR="$tmp/empty"
    fails_with $? "invalid cmdqv mode 'tegra241'" "none loaded"
    ok $? "a missing module is one clear error"
    run "cmdqv=tegra241" env LD_LIBRARY_PATH="$tmp/lib" \
        SMMU_EXT_MODULE_DIR="$tmp/absent"
    fails_with $? "invalid cmdqv mode 'tegra241'" "$tmp/absent"
    ok $? "a missing module directory is one clear error naming it"
    run "cmdqv=off" env LD_LIBRARY_PATH="$tmp/lib" \
        SMMU_EXT_MODULE_DIR="$tmp/absent"; selects $? none
    ok $? "cmdqv=off never looks for modules"
else
    echo "not ok $((n += 1)) - no libsmmu-ext next to $qemu"
    failed=$((failed + 1))
fi

# 5. Extension commands run through the SMMUv3's own command code.
vcmdq() { /usr/bin/python3 "$here/test-qemu-cli-vcmdq.py" "$qemu" "$@" >"$tmp/err" 2>&1; }
vcmdq 1 ok
ok $? "VCMDQ0: TLBI_NH_ASID and CMD_SYNC executed by the SMMUv3, CONS 2"
vcmdq 2 ill
ok $? "VCMDQ0 on a stage-2 SMMUv3: its TLBI_NH_ASID refusal stops the queue"
vcmdq 2 ok; [ $? = 1 ]
ok $? "control: the VCMDQ check notices a wrong outcome"

# 6. Migration and reset of the emulated extension.
mig() { /usr/bin/python3 "$here/test-qemu-cli-migrate.py" "$qemu" "$@" >"$tmp/err" 2>&1; }
mig tegra241
ok $? "registers migrate through smmuv3/ext and system_reset restores them"
mig off
ok $? "a destination without the extension refuses the stream"

# 7. Firmware: Linux finds a Tegra241 CMDQV only through ACPI.
acpi() { /usr/bin/python3 "$here/test-qemu-cli-acpi.py" "$qemu" "$@" >"$tmp/err" 2>&1; }
acpi "" tegra241 present
ok $? "DSDT NVDA200C: _UID = IORT SMMUv3 identifier, region, edge IRQ"
acpi "its=off" tegra241 present
ok $? "same without an ITS (the identifiers shift by one)"
acpi "" tegra241 two
ok $? "two SMMUs plugged out of bus order: each _UID names its own SMMU"
acpi "" off absent
ok $? "no NVDA200C when no extension is selected"
acpi "" tegra241 absent; [ $? = 1 ]
ok $? "control: the ACPI check notices a device it did not expect"

# 8. A simulated host (-object smmu-ext-sim, docs/qemu-sim-host.md): the
# probe takes the real host's path, so the profile decides what cmdqv=auto
# and cmdqv=on get.  A virtio-rng-pci behind the SMMU is attached at
# machine init, so the report shows what the first attach made.
printf '%s\n' '{"execute": "qmp_capabilities"}' \
    '{"execute": "qom-get", "arguments": {"path": "/machine/peripheral/smmu0", "property": "cmdqv-selected"}}' \
    '{"execute": "qom-get", "arguments": {"path": "/objects/h0", "property": "report"}}' \
    '{"execute": "quit"}' >"$tmp/qmp-sim"
sim() {
    timeout 60 "$qemu" -M virt -accel qtest -display none -nic none \
        -nodefaults -S -qmp stdio -object "smmu-ext-sim,id=h0,profile=$1" \
        -device "arm-smmuv3,primary-bus=pcie.0,id=smmu0,cmdqv=$2,host=h0" \
        -device virtio-rng-pci,id=rng0 \
        <"$tmp/qmp-sim" >"$tmp/out" 2>"$tmp/err"
}
# Selected $2, the live report has every word of $3, and QEMU said at exit
# that nothing was left.
sim_selects() {
    local st=$1 want=$2 w
    selects "$st" "$want" || return 1
    for w in $3; do
        grep -q "\"return\": \"[^\"]*\b$w\b" "$tmp/out" ||
            { echo "report lacks $w" >>"$tmp/err"; cat "$tmp/out" >>"$tmp/err"
              return 1; }
    done
    grep -q 'smmu-ext-sim h0: at exit: viommu=0 hw_queue=0 veventq=0 vdevice=0 mmap=0 fds=0 devices=0$' "$tmp/err" ||
        { echo "no all-zero exit report" >>"$tmp/err"; return 1; }
}
accel="viommu=1 veventq=1 mmap=1 fds=1 devices=2"
plain="viommu=1 hw_queue=0 veventq=0 vdevice=0 mmap=0"
sim tegra241 auto; sim_selects $? tegra241 "$accel"
ok $? "sim host tegra241, cmdqv=auto: tegra241 accelerated (vIOMMU, vEVENTQ, page mapped)"
sim tegra241 on; sim_selects $? tegra241 "$accel"
ok $? "sim host tegra241, cmdqv=on: tegra241 accelerated"
sim smmuv3 auto; sim_selects $? none "$plain"
ok $? "sim host smmuv3, cmdqv=auto: no extension, a plain vIOMMU"
sim smmuv3 on
fails_with $? "cmdqv=on: no extension accepted the host SMMU" \
    "tegra241: IOMMU_GET_HW_INFO(" "Operation not supported"
ok $? "sim host smmuv3, cmdqv=on: the library's message"
sim none auto; sim_selects $? none "viommu=0"
ok $? "sim host none, cmdqv=auto: no extension"
sim none on
fails_with $? "cmdqv=on: no extension accepted the host SMMU" \
    "unexpected hw_info type 0"
ok $? "sim host none, cmdqv=on fails"
sim tegra241 off; sim_selects $? none "veventq=0 mmap=0"
ok $? "sim host tegra241, cmdqv=off: no extension"
sim smmuv3 auto; ! sim_selects $? none "$accel"
ok $? "control: the report check notices a missing extension vEVENTQ"

# The simulated kernel fails one call of the first attach: one clear error
# naming the device and the call, QEMU runs on (the device keeps QEMU's
# own translation), and nothing is left half-made.
nothing="viommu=0 hw_queue=0 veventq=0 vdevice=0 mmap=0 fds=0 devices=2"
for f in "viommu_alloc IOMMU_VIOMMU_ALLOC(" "veventq_alloc IOMMU_VEVENTQ_ALLOC(" \
         "mmap VINTF page0: mmap("; do
    op=${f%% *}
    sim "tegra241,fail-op=$op:1:12" auto
    sim_selects $? tegra241 "$nothing" &&
        grep -qF "attaching rng0 (dev_id" "$tmp/err" &&
        grep -qF "${f#* }" "$tmp/err" &&
        grep -qF "Cannot allocate memory (errno 12)" "$tmp/err"
    ok $? "sim host: $op failing at the first attach is one error, nothing half-made"
done
sim "tegra241,fail-op=get_hw_info:1:5" auto
fails_with $? "probing the host SMMU of device" \
    "IOMMU_GET_HW_INFO(" "Input/output error (errno 5)"
ok $? "sim host: GET_HW_INFO failing fails realize, naming the call"

echo "1..$n"
[ "$failed" = 0 ]
