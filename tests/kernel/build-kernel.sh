#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build (once) the x86_64 kernel of the `kernel` test suite and print the
# path of its bzImage.  x86_64 tinyconfig plus tests/kernel/kernel.config,
# built out of tree (O=) from the shared tree of scripts/linux-source.sh.
# The result is cached under ${SMMU_EXT_CACHE:-/var/cache/smmu-ext}/kernel-<hash>,
# the hash covering the fragment, this script, the source version and the
# compiler.  Every symbol the fragment asks =y must be =y in the final
# .config, or the build fails naming it.  Safe to run concurrently (flock).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${SMMU_EXT_CACHE:-/var/cache/smmu-ext}
frag=$here/kernel.config
jobs=${SMMU_EXT_KERNEL_JOBS:-2}

need() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
            missing+=("$p")
    done
    [ ${#missing[@]} = 0 ] && return
    [ "$(id -u)" = 0 ] || { echo "$0: missing packages ${missing[*]} (needs root)" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive flock /var/lib/apt/lists/.smmu-ext-lock \
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}
need gcc make bc flex bison libelf-dev libssl-dev cpio xz-utils

src=$(bash "$repo/scripts/linux-source.sh")
key=$( { cat "$frag" "$0"; echo "$src"; gcc --version | head -n 1; } |
       sha256sum | cut -c1-16)
out=$cache/kernel-$key
mkdir -p "$cache"
exec 9>"$cache/.kernel-$key.lock"
flock 9

if [ -f "$out/.done" ]; then
    echo "$out/arch/x86/boot/bzImage"
    exit 0
fi

rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
echo "building the kernel in $out (log: $log)" >&2
mk() { nice -n 10 make -C "$src" O="$out" ARCH=x86_64 "$@" >>"$log" 2>&1; }

mk tinyconfig
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" >>"$log" 2>&1
mk olddefconfig

# Every requested =y must survive olddefconfig (an unmet dependency drops
# a symbol silently).
bad=0
while IFS= read -r line; do
    case $line in CONFIG_*=y) ;; *) continue ;; esac
    sym=${line%%=*}
    if ! grep -qx "$sym=y" "$out/.config"; then
        echo "$0: $sym=y was requested but the final .config has:" \
             "$(grep -E "^$sym=|^# $sym is not set" "$out/.config" || echo nothing)" >&2
        bad=1
    fi
done <"$frag"
if grep -qx 'CONFIG_WERROR=y' "$out/.config"; then
    echo "$0: CONFIG_WERROR=y in the final .config" >&2; bad=1
fi
[ $bad = 0 ] || exit 1

if ! mk -j"$jobs" bzImage; then
    echo "$0: kernel build failed; last lines of $log:" >&2
    tail -n 30 "$log" >&2
    exit 1
fi
touch "$out/.done"
echo "$out/arch/x86/boot/bzImage"
