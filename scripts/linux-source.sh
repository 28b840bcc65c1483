#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Print the path of an unpacked Linux 7.2 tree from Debian's linux-source-7.2
# binary package, unpacking it once under the cache (default
# /var/cache/smmu-ext, or $SMMU_EXT_CACHE) keyed by the package version.
# The guest (arm64) and kernel (x86_64) suites build out of tree (O=) from
# the same read-only tree.  Safe to run concurrently (flock).
set -euo pipefail

cache=${SMMU_EXT_CACHE:-/var/cache/smmu-ext}
pkg=linux-source-7.2
here=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$cache"
exec 9>"$cache/.linux-source.lock"
flock 9

if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed'; then
    [ "$(id -u)" = 0 ] || { echo "$0: $pkg is not installed (needs root)" >&2; exit 1; }
    bash "$here/apt-extra-sources.sh" >&2
    DEBIAN_FRONTEND=noninteractive flock /var/lib/apt/lists/.smmu-ext-lock \
        apt-get install -y -qq --no-install-recommends "$pkg" xz-utils >&2
fi
ver=$(dpkg-query -W -f='${Version}' "$pkg")
tarball=$(dpkg -L "$pkg" | grep -E '/linux-source-7\.2\.tar\.(xz|bz2|gz)$' | head -n 1)
[ -n "$tarball" ] || { echo "$0: no tarball in $pkg" >&2; exit 1; }

dest="$cache/linux-src-$ver"
if [ ! -f "$dest/.unpacked" ]; then
    rm -rf "$dest" "$dest.tmp"
    mkdir -p "$dest.tmp"
    echo "unpacking $tarball into $dest" >&2
    tar -C "$dest.tmp" -xf "$tarball"
    top=$(ls "$dest.tmp")
    mv "$dest.tmp/$top" "$dest"
    rmdir "$dest.tmp"
    touch "$dest/.unpacked"
fi
echo "$dest"
