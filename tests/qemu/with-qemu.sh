#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Run a test with the patched QEMU:
#
#   tests/qemu/with-qemu.sh PROGRAM [ARG...]
#
# finds QEMU ($SMMU_EXT_QEMU, or else the last line qemu/build.sh prints:
# it builds the patched qemu-system-aarch64 or takes it from its cache,
# and concurrent callers wait on its lock for one build), then runs
# PROGRAM with every ARG "@QEMU@" replaced by its path and with
# SMMU_EXT_QEMU and SMMU_EXT_TEST_QEMU set to it.  Exit status:
# PROGRAM's, or 99 (meson's hard error, even for a should_fail test) when
# there is no QEMU.
set -uo pipefail

[ $# -ge 1 ] || { echo "usage: $0 PROGRAM [ARG...]" >&2; exit 99; }
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

qemu=${SMMU_EXT_QEMU:-}
if [ -z "$qemu" ]; then
    qemu=$("$repo/qemu/build.sh" | tail -n 1) ||
        { echo "$0: qemu/build.sh failed" >&2; exit 99; }
fi
[ -x "$qemu" ] || { echo "$0: no QEMU at '$qemu'" >&2; exit 99; }
echo "QEMU: $qemu" >&2
export SMMU_EXT_QEMU=$qemu SMMU_EXT_TEST_QEMU=$qemu

args=()
for a in "$@"; do
    [ "$a" = "@QEMU@" ] && a=$qemu
    args+=("$a")
done
exec "${args[@]}"
