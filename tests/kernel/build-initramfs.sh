#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# build-initramfs.sh RUN_SCRIPT FILE...
#
# Build (once per set of inputs) the initramfs of the `kernel` test suite
# and print its path: a static busybox (amd64, taken from Debian's
# busybox-static package without installing it, so an arm64 busybox-static
# on the same machine is left alone), an /init that mounts proc, sys,
# devtmpfs and debugfs and runs RUN_SCRIPT, and every FILE at its own
# absolute path together with the shared libraries it needs and the
# dynamic loader (found with ldd), so host binaries run unchanged.
# Cached under ${SMMU_EXT_CACHE:-/var/cache/smmu-ext}/initramfs-<hash>.cpio.gz,
# the hash covering this script and the content of every file put in.
set -euo pipefail

[ $# -ge 1 ] || { echo "usage: $0 RUN_SCRIPT FILE..." >&2; exit 2; }
here=$(cd "$(dirname "$0")" && pwd)
cache=${SMMU_EXT_CACHE:-/var/cache/smmu-ext}
run_script=$1; shift
mkdir -p "$cache"

# --- busybox (amd64) ------------------------------------------------------
bb_dir=$cache/busybox-amd64
if [ ! -x "$bb_dir/bin/busybox" ]; then
    exec 8>"$cache/.busybox-amd64.lock"
    flock 8
    if [ ! -x "$bb_dir/bin/busybox" ]; then
        ver=$(apt-cache policy busybox-static 2>/dev/null |
              awk '/Candidate:/ { print $2 }')
        [ -n "$ver" ] && [ "$ver" != "(none)" ] || {
            echo "$0: apt knows no busybox-static package (run apt-get update)" >&2
            exit 1
        }
        tmp=$(mktemp -d)
        chmod 755 "$tmp"      # apt's _apt user downloads into it
        (cd "$tmp" && apt-get download -qq "busybox-static:amd64=$ver") >&2 || {
            echo "$0: apt-get download busybox-static:amd64=$ver failed" >&2
            rm -rf "$tmp"; exit 1
        }
        rm -rf "$bb_dir.tmp"
        dpkg-deb -x "$tmp"/busybox-static_*_amd64.deb "$bb_dir.tmp"
        rm -rf "$tmp"
        [ -x "$bb_dir.tmp/bin/busybox" ] || {
            echo "$0: no bin/busybox in busybox-static:amd64" >&2; exit 1
        }
        rm -rf "$bb_dir"
        mv "$bb_dir.tmp" "$bb_dir"
    fi
    exec 8>&-
fi

# --- what goes in: files, their libraries, the loader ----------------------
declare -A seen=()
list=()
add() {
    local f=$1 real
    [ -n "${seen[$f]:-}" ] && return
    seen[$f]=1
    [ -e "$f" ] || { echo "$0: $f does not exist" >&2; exit 1; }
    list+=("$f")
    # Keep symlinks (ld.so, lib*.so.N) resolvable inside the image: every
    # hop of the chain goes in.
    if [ -L "$f" ]; then
        real=$(readlink "$f")
        case $real in /*) ;; *) real=$(dirname "$f")/$real ;; esac
        add "$real"
    fi
}
add_elf() {
    local f=$1 lib
    add "$f"
    # ldd fails on static files and scripts: they need nothing more.
    while read -r lib; do
        [ -n "$lib" ] && add "$lib"
    done < <(ldd "$f" 2>/dev/null |
             awk '/=> \// { print $3 } /^[[:space:]]*\/[^ ]+ \(/ { print $1 }')
}
for f in "$@"; do
    add_elf "$(readlink -f "$f")"
    [ "$(readlink -f "$f")" = "$f" ] || add "$f"
done

key=$( { cat "$0" "$run_script" "$bb_dir/bin/busybox";
         for f in "${list[@]}"; do echo "$f"; [ -L "$f" ] && readlink "$f" || cat "$f"; done; } |
       sha256sum | cut -c1-16)
out=$cache/initramfs-$key.cpio.gz
if [ -f "$out" ]; then
    echo "$out"
    exit 0
fi

root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,proc,sys,dev,tmp,etc,root}
# A merged-/usr host: the same top-level links, so every path resolves.
for d in lib lib32 lib64 libx32; do
    if [ -L "/$d" ]; then
        mkdir -p "$root/$(readlink "/$d")"
        ln -s "$(readlink "/$d")" "$root/$d"
    fi
done
cp "$bb_dir/bin/busybox" "$root/bin/busybox"
for f in "${list[@]}"; do
    mkdir -p "$root$(dirname "$f")"
    cp -a "$f" "$root$f"
done
install -m 0755 "$run_script" "$root/run.sh"
cat >"$root/init" <<'INIT'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug
# No tmpfs over /tmp: a build tree under /tmp is packed at its own path.
echo "@@GUEST-UP"
sh /run.sh
echo "@@GUEST-DONE rc=$?"
sync
reboot -f
INIT
chmod 0755 "$root/init"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
echo "$out"
