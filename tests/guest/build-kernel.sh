#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-kernel.sh [4k|64k]: print the path of an arm64 guest kernel Image
# built from Debian's linux-source-7.2 with allnoconfig + kernel.config
# (+ kernel-64k.config for 64k).  Cached under $SMMU_EXT_CACHE keyed by the
# fragments, this script, the source version and the cross compiler; the
# out-of-tree build directory is removed once the Image is stored.
# Concurrent runs of the same variant wait for each other (flock).
set -euo pipefail
. "$(dirname "$0")/common.sh"

variant=${1:-4k}
frags=("$guest_here/kernel.config")
keys=("@$guest_here/kernel.config")
case $variant in
    4k) ;;
    64k) frags+=("$guest_here/kernel-64k.config")
         keys+=("@$guest_here/kernel-64k.config") ;;
    *) guest_die "unknown variant '$variant' (4k or 64k)" ;;
esac

guest_need_packages gcc-aarch64-linux-gnu make bc flex bison libelf-dev \
    libssl-dev cpio xz-utils
src=$(bash "$guest_top/scripts/linux-source.sh")
cc_ver=$(aarch64-linux-gnu-gcc --version | head -n 1)
# Bump recipe when the commands below change what gets built.
recipe=1
key=$(guest_hash "${keys[@]}" "recipe $recipe" "$(basename "$src")" "$cc_ver")
out="$guest_cache/guest-kernel-$variant-$key"

mkdir -p "$guest_cache"
exec 9>"$out.lock"
flock 9
if [ -f "$out/Image" ]; then
    echo "$out/Image"
    exit 0
fi

obj="$out.build"
rm -rf "$obj" "$out"
mkdir -p "$obj"
log="$obj/build.log"
mk=(nice -n 10 make -C "$src" O="$obj" ARCH=arm64
    CROSS_COMPILE=aarch64-linux-gnu- -j2)
echo "building the $variant guest kernel in $obj (log: $log)" >&2
{
    "${mk[@]}" allnoconfig &&
    ARCH=arm64 "$src/scripts/kconfig/merge_config.sh" -m -O "$obj" \
        "$obj/.config" "${frags[@]}" &&
    "${mk[@]}" olddefconfig
} >"$log" 2>&1 || { tail -n 40 "$log" >&2; guest_die "kernel config failed (log: $log)"; }

# Kconfig drops a symbol whose dependencies are not met without a word:
# every y and every "is not set" asked for must be in the final .config.
bad=0
while read -r line; do
    case $line in
        CONFIG_*=y)
            grep -qx "$line" "$obj/.config" ||
                { echo "not in .config: $line" >&2; bad=1; } ;;
        '# CONFIG_'*' is not set')
            sym=${line#\# }; sym=${sym%% *}
            ! grep -q "^$sym=" "$obj/.config" ||
                { echo "set in .config: $sym (asked: not set)" >&2; bad=1; } ;;
    esac
done < <(cat "${frags[@]}")
[ $bad = 0 ] || guest_die "config check failed ($obj/.config)"

"${mk[@]}" Image >>"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; guest_die "kernel build failed (log: $log)"; }

mkdir -p "$out.tmp"
cp "$obj/arch/arm64/boot/Image" "$obj/.config" "$out.tmp/"
cp "$log" "$out.tmp/build.log"
mv "$out.tmp" "$out"
rm -rf "$obj"
echo "$out/Image"
