#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-initramfs.sh: print the path of the guest initramfs (newc cpio):
# busybox-static for arm64, dread (dread.c, the O_DIRECT reader) and
# init.sh as /init, cached under $SMMU_EXT_CACHE keyed by the busybox
# version, the sources and the cross compiler.
# busybox-static:arm64 is taken from the installed package when there is
# one, else downloaded (not installed: it would replace the host's busybox).
set -euo pipefail
. "$(dirname "$0")/common.sh"

pkg=busybox-static:arm64
mkdir -p "$guest_cache"
exec 9>"$guest_cache/.guest-initramfs.lock"
flock 9

bb=""
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
    ver=$(dpkg-query -W -f='${Version}' "$pkg")
    bb=$(dpkg -L "$pkg" | grep -E '/bin/busybox$' | head -n 1)
else
    ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
    if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
        [ "$(id -u)" = 0 ] || guest_die "$pkg: not installed, no candidate (needs root)"
        dpkg --add-architecture arm64
        (flock 8; apt-get update -qq) 8>/var/lib/apt/lists/.smmu-ext-lock
        ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
    fi
    [ -n "$ver" ] && [ "$ver" != "(none)" ] || guest_die "$pkg: no candidate version"
    deb="$guest_cache/busybox-static-arm64-$ver"
    if [ ! -x "$deb/bin/busybox" ]; then
        rm -rf "$deb.tmp"
        mkdir -p "$deb.tmp"
        (cd "$deb.tmp" && apt-get download -qq "$pkg=$ver") ||
            guest_die "apt-get download $pkg=$ver failed"
        dpkg-deb -x "$deb.tmp"/busybox-static_*.deb "$deb.tmp/root"
        rm -rf "$deb"
        mv "$deb.tmp/root" "$deb"
        rm -rf "$deb.tmp"
    fi
    bb="$deb/bin/busybox"
fi
[ -x "$bb" ] || guest_die "no busybox binary in $pkg"
file -L "$bb" 2>/dev/null | grep -q aarch64 || [ ! -x /usr/bin/file ] ||
    guest_die "$bb is not an arm64 binary"

guest_need_packages gcc-aarch64-linux-gnu
cc=(aarch64-linux-gnu-gcc -static -nostdlib -ffreestanding
    -fno-stack-protector -fno-pie -no-pie -O2 -Wall -Wextra -Werror)
key=$(guest_hash "busybox $ver" "@$guest_here/init.sh" "@$guest_here/mkcpio.py" \
      "@$guest_here/dread.c" "${cc[*]}" "$(aarch64-linux-gnu-gcc --version | head -n 1)")
out="$guest_cache/guest-initramfs-$key.cpio"
if [ ! -f "$out" ]; then
    "${cc[@]}" -o "$out.dread" "$guest_here/dread.c" ||
        guest_die "cannot build dread.c for arm64"
    /usr/bin/python3 "$guest_here/mkcpio.py" dir:dev char:dev/console=5,1 \
        dir:bin dir:sbin dir:usr dir:usr/bin dir:usr/sbin dir:proc dir:sys \
        dir:tmp file:bin/busybox="$bb" file:bin/dread="$out.dread" \
        file:init="$guest_here/init.sh" >"$out.tmp"
    rm -f "$out.dread"
    mv "$out.tmp" "$out"
fi
echo "$out"
