#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# One replay script through the patched QEMU:
#
#   tests/qemu/replay-qemu.sh SMMU_EXT_TOOL SCRIPT
#
# runs `SMMU_EXT_TOOL replay --qemu QEMU SCRIPT`, where QEMU is
# $SMMU_EXT_QEMU or else the last line qemu/build.sh prints (it builds the
# patched qemu-system-aarch64, or takes it from its cache; concurrent
# callers wait on its lock for one build).  Exit status: the tool's, or 99
# (meson's hard error, even for a should_fail test) when there is no QEMU.
set -uo pipefail

[ $# = 2 ] || { echo "usage: $0 SMMU_EXT_TOOL SCRIPT" >&2; exit 99; }
tool=$1
script=$2
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

qemu=${SMMU_EXT_QEMU:-}
if [ -z "$qemu" ]; then
    qemu=$("$repo/qemu/build.sh" | tail -n 1) ||
        { echo "$0: qemu/build.sh failed" >&2; exit 99; }
fi
[ -x "$qemu" ] || { echo "$0: no QEMU at '$qemu'" >&2; exit 99; }
echo "QEMU: $qemu"
exec "$tool" replay --qemu "$qemu" "$script"
