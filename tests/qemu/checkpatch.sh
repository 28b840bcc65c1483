#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# QEMU's own scripts/checkpatch.pl on the QEMU side of the project: every
# patch of qemu/patches/ and every file of qemu/hw and qemu/include (with
# -f) must report 0 errors and 0 warnings, as a qemu-devel submission
# would.  The script comes from the QEMU tree qemu/build.sh unpacked (run
# it through with-qemu.sh, which builds or finds that tree first).  TAP.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cache=${SMMU_EXT_CACHE:-/var/cache/smmu-ext}
ver=$(sed -n 's/^QEMU_VERSION=//p' "$repo/qemu/build.sh")
cp=$cache/qemu-$ver-work-src/scripts/checkpatch.pl
[ -f "$cp" ] || { echo "Bail out! no $cp (run qemu/build.sh)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# check WHAT ARGS...: checkpatch's verdict on one input.
check() {
    local what=$1
    shift
    n=$((n + 1))
    perl "$cp" --no-tree "$@" >"$tmp/out" 2>&1
    if grep -q '^total: 0 errors, 0 warnings' "$tmp/out"; then
        echo "ok $n - $what"
    else
        echo "not ok $n - $what"
        grep -E '^(ERROR|WARNING|#)' "$tmp/out" | head -n 12 | sed 's/^/# /'
        failed=$((failed + 1))
    fi
}

echo "TAP version 13"
for p in "$repo"/qemu/patches/*.patch; do
    check "patch $(basename "$p")" "$p"
done
while read -r f; do
    check "file ${f#"$repo"/}" -f "$f"
done < <(find "$repo/qemu/hw" "$repo/qemu/include" -type f \
             \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)

# Control: a comment in the style QEMU refuses must not pass.
printf '%s\n' '/* SPDX-License-Identifier: GPL-2.0-or-later */' \
    '/* two lines' ' * of comment */' 'int x;' >"$tmp/bad.c"
n=$((n + 1))
if perl "$cp" --no-tree -f "$tmp/bad.c" 2>&1 |
        grep -q '^WARNING: Block comments use a leading'; then
    echo "ok $n - control: checkpatch flags a bad block comment"
else
    echo "not ok $n - control: checkpatch flags a bad block comment"
    failed=$((failed + 1))
fi
echo "1..$n"
[ "$failed" = 0 ]
