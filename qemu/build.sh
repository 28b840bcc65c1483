#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Build qemu-system-aarch64 with the arm-smmuv3 cmdqv= extension interface
# (qemu/patches/ and the new files under qemu/hw, qemu/include) against this
# checkout's libsmmu-ext.  The last line of stdout is the absolute path of
# the binary; everything else goes to stderr.
#
#   qemu/build.sh            build (or take from the cache) and print the path
#   SMMU_EXT_CACHE=DIR       cache root (default /var/cache/smmu-ext)
#   SMMU_EXT_QEMU_JOBS=N     ninja -j (default 2)
#   SMMU_EXT_QEMU_LIB=system link the installed libsmmu-ext-dev (pkg-config
#                            smmu-ext from the system) instead of this
#                            checkout's library; prints qemu-<Q>/system/...
#
# The source is Debian's qemu 1:10.2.2+ds-1 (apt-get source: apt checks it
# against the signed archive index; Debian's own patches are applied, which
# is what makes the +ds tarball build without the firmware it strips).
#
# Cache layout (${SMMU_EXT_CACHE:-/var/cache/smmu-ext}):
#   qemu-src/                    the downloaded .dsc and tarballs
#   qemu-pydeps/                 meson 1.7.0 from bookworm-backports, unpacked
#                                (on PYTHONPATH for QEMU's configure only, so
#                                the project's own meson build is untouched)
#   qemu-10.2.2-work-src/        one persistent patched tree, and
#   qemu-10.2.2-work-build/      one persistent build dir: a change of qemu/
#                                files rewrites only the files that differ,
#                                so ninja rebuilds only what they affect
#   smmu-ext-lib-<L>/            a snapshot of this checkout's library sources
#                                and their meson build, L = hash of them
#   qemu-<Q>/qemu-system-aarch64 the binary, Q = hash of everything QEMU's
#                                build reads: QEMU version, Debian source
#                                checksum, patches, qemu/ sources, configure
#                                line, compiler, and the library's ABI (public
#                                headers, version script, SONAME)
#   qemu-<Q>/lib-<L>/            a hard link of that binary plus lib -> the
#                                library build of snapshot L: the path printed
#
# QEMU links libsmmu-ext dynamically with RUNPATH $ORIGIN/lib, so one QEMU
# build serves every library change that keeps the ABI: a change of library
# sources only builds the library (seconds) and links a new lib-<L>.  The
# library runs from its build tree, so it finds its own modules there (its
# "uninstalled" module directory); no wrapper and no environment is needed.
set -euo pipefail

QEMU_DEB_VERSION=1:10.2.2+ds-1
QEMU_VERSION=10.2.2
MESON_DEB_VERSION=1.7.0-1~bpo12+1
# The configure line: the issue's, plus the Python that sees Debian's
# packages and the RUNPATH that finds libsmmu-ext next to the binary.
CONFIGURE_ARGS=(
    --python=/usr/bin/python3
    --target-list=aarch64-softmmu
    --disable-docs --disable-werror --disable-tools
    --without-default-features --enable-fdt=system --disable-install-blobs
    '--extra-ldflags=-Wl,-rpath,$ORIGIN/lib'
)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${SMMU_EXT_CACHE:-/var/cache/smmu-ext}
jobs=${SMMU_EXT_QEMU_JOBS:-2}
src=$cache/qemu-$QEMU_VERSION-work-src
bld=$cache/qemu-$QEMU_VERSION-work-build
pydeps=$cache/qemu-pydeps/usr/lib/python3/dist-packages

log() { echo "qemu/build.sh: $*" >&2; }
die() { log "$*"; exit 1; }

sha() { sha256sum | cut -c1-16; }

# --- 1. packages ------------------------------------------------------------

need_pkgs=(gcc ninja-build pkgconf libglib2.0-dev libfdt-dev zlib1g-dev
           python3-venv dpkg-dev xz-utils meson)

install_deps() {
    local missing=()
    for p in "${need_pkgs[@]}"; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    if [ ! -d "$pydeps/mesonbuild" ] || [ ! -f "$cache/qemu-src/.verified" ] ||
       [ ${#missing[@]} -gt 0 ]; then
        [ "$(id -u)" = 0 ] || die "needs root once: packages or the QEMU source are missing"
        bash "$repo/scripts/apt-extra-sources.sh" >&2
    fi
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
            "${missing[@]}" >&2
    fi
}

# meson >= 1.5 for QEMU 10.2, without replacing the system's meson 1.0.
fetch_meson() {
    local dir=$cache/qemu-pydeps
    [ -d "$pydeps/mesonbuild" ] && return 0
    log "fetching meson $MESON_DEB_VERSION (bookworm-backports)"
    rm -rf "$dir.tmp" && mkdir -p "$dir.tmp"
    (cd "$dir.tmp" && apt-get download -q "meson=$MESON_DEB_VERSION" >&2)
    dpkg-deb -x "$dir.tmp"/meson_*.deb "$dir.tmp"
    rm -f "$dir.tmp"/meson_*.deb
    rm -rf "$dir" && mv "$dir.tmp" "$dir"
}

# --- 2. the QEMU source -----------------------------------------------------

fetch_source() {
    local dl=$cache/qemu-src
    if [ ! -f "$dl/.verified" ]; then
        log "apt-get source qemu=$QEMU_DEB_VERSION"
        rm -rf "$dl" && mkdir -p "$dl"
        # apt checks each file against the signed Sources index.
        (cd "$dl" && apt-get source -q --download-only \
            "qemu=$QEMU_DEB_VERSION" >&2)
        touch "$dl/.verified"
    fi
    if [ ! -f "$src/.smmu-ext-extracted" ]; then
        log "unpacking into $src"
        rm -rf "$src" "$src.orig" "$bld"
        dpkg-source -q -x "$dl"/qemu_*.dsc "$src" >&2
        touch "$src/.smmu-ext-extracted"
    fi
}

# Files the series and the project's sources put into the tree.
patch_targets() {
    sed -n 's|^+++ b/||p' "$repo"/qemu/patches/*.patch
    (cd "$repo/qemu" && find hw include -type f)
}

# Bring $src to pristine + patches + new files, rewriting only the files
# whose content changes, so that an incremental build stays incremental.
lay_in() {
    local stage=$src.stage orig=$src.orig list=$src.orig/.laid f
    rm -rf "$stage" && mkdir -p "$stage" "$orig"
    touch "$list"
    # Pristine copies of everything laid in now or in an earlier run.
    for f in $( (patch_targets; cat "$list") | sort -u); do
        if [ ! -e "$orig/$f" ] && [ ! -e "$orig/$f.absent" ]; then
            mkdir -p "$(dirname "$orig/$f")"
            if [ -e "$src/$f" ]; then
                cp -p "$src/$f" "$orig/$f"
            else
                touch "$orig/$f.absent"
            fi
        fi
        if [ -e "$orig/$f" ]; then
            mkdir -p "$(dirname "$stage/$f")"
            cp -p "$orig/$f" "$stage/$f"
        fi
    done
    for p in "$repo"/qemu/patches/*.patch; do
        patch -s -p1 -d "$stage" --no-backup-if-mismatch <"$p" >&2 ||
            die "patch $(basename "$p") does not apply to Debian's $QEMU_DEB_VERSION"
    done
    (cd "$repo/qemu" && find hw include -type f -print0 |
        xargs -0 -I{} cp --parents {} "$stage/")
    # Sync: changed or new files are copied, dropped ones restored.
    for f in $( (patch_targets; cat "$list") | sort -u); do
        if [ -e "$stage/$f" ]; then
            if ! cmp -s "$stage/$f" "$src/$f"; then
                mkdir -p "$(dirname "$src/$f")"
                cp "$stage/$f" "$src/$f"
            fi
        elif [ -e "$src/$f" ]; then
            rm -f "$src/$f"
        fi
    done
    patch_targets | sort -u >"$list"
    rm -rf "$stage"
}

# --- 3. the library -----------------------------------------------------------

lib_files() {
    (cd "$repo" && if git rev-parse --git-dir >/dev/null 2>&1; then
        git ls-files -co --exclude-standard -- meson.build \
            meson_options.txt debian include plugins tools tests bench
    else
        find meson.build meson_options.txt debian include plugins tools \
            tests bench -type f
    fi) | LC_ALL=C sort
}

lib_hash() {
    (cd "$repo" && lib_files | while read -r f; do
        [ -f "$f" ] && printf '%s %s\n' "$(sha256sum <"$f" | cut -c1-64)" "$f"
    done) | sha
}

# A snapshot of the sources (so the cache never depends on this checkout
# staying put) and a build of the library and its modules only.
build_lib() {
    local dir=$cache/smmu-ext-lib-$1 targets
    if [ -f "$dir/.done" ]; then
        echo "$dir"; return
    fi
    log "building libsmmu-ext ($1)"
    rm -rf "$dir" && mkdir -p "$dir/src"
    (cd "$repo" && lib_files | while read -r f; do
        [ -f "$f" ] && printf '%s\0' "$f"
    done | xargs -0 cp --parents -t "$dir/src")
    env -u PYTHONPATH meson setup -Dbuildtype=debugoptimized \
        "$dir/build" "$dir/src" >"$dir/setup.log" 2>&1 ||
        { tail -20 "$dir/setup.log" >&2; die "meson setup of libsmmu-ext failed"; }
    lib_ninja "$dir"
    [ -f "$dir/build/meson-uninstalled/smmu-ext-uninstalled.pc" ] ||
        die "no meson-uninstalled/smmu-ext-uninstalled.pc in $dir/build"
    touch "$dir/.done"
    echo "$dir"
}

# The shared libraries and modules of the library build in $1/build.
lib_ninja() {
    local targets
    # Regenerate first: the introspection data of a kept build dir may name
    # the targets of older sources (another SONAME).
    env -u PYTHONPATH ninja -C "$1/build" build.ninja >"$1/build.log" 2>&1 ||
        { tail -30 "$1/build.log" >&2; die "regenerating $1 failed"; }
    targets=$(env -u PYTHONPATH meson introspect --targets "$1/build" |
        /usr/bin/python3 -c '
import json, os, sys
b = sys.argv[1]
for t in json.load(sys.stdin):
    if t["type"] in ("shared library", "shared module"):
        for f in t["filename"]:
            print(os.path.relpath(f, b))' "$1/build")
    # shellcheck disable=SC2086
    nice -n 10 ninja -C "$1/build" -j"$jobs" $targets >"$1/build.log" 2>&1 ||
        { tail -30 "$1/build.log" >&2; die "building libsmmu-ext in $1 failed"; }
}

# QEMU compiles and links against a library build at a fixed path, synced
# from snapshot $1 file by file: a new snapshot then changes no compile
# command of QEMU's, and ninja rebuilds only what includes a changed
# header.  (The binary runs with snapshot $1 itself, through lib-<L>.)
link_lib() {
    local snap=$1 dir=$cache/qemu-$QEMU_VERSION-work-lib f
    mkdir -p "$dir/src"
    (cd "$snap/src" && find . -type f) | while read -r f; do
        if ! cmp -s "$snap/src/$f" "$dir/src/$f"; then
            mkdir -p "$(dirname "$dir/src/$f")"
            cp "$snap/src/$f" "$dir/src/$f"
        fi
    done
    (cd "$dir/src" && find . -type f) | while read -r f; do
        [ -e "$snap/src/$f" ] || rm -f "$dir/src/$f"
    done
    if [ ! -f "$dir/build/build.ninja" ]; then
        rm -rf "$dir/build"
        env -u PYTHONPATH meson setup -Dbuildtype=debugoptimized \
            "$dir/build" "$dir/src" >"$dir/setup.log" 2>&1 ||
            { tail -20 "$dir/setup.log" >&2; die "meson setup in $dir failed"; }
    fi
    lib_ninja "$dir"
    echo "$dir"
}

lib_so() {
    find "$1/build/plugins/smmu-ext" -maxdepth 1 -name 'libsmmu-ext.so.*' \
        -type f | sort | head -n 1
}

# --- 4. QEMU ------------------------------------------------------------------

qemu_hash() {
    local libdir=$1 so inc
    if [ "$libdir" = system ]; then
        inc=$(pkg-config --variable=includedir smmu-ext)
        so=$(pkg-config --variable=libdir smmu-ext)/libsmmu-ext.so
    else
        inc=$libdir/src/include
        so=$(lib_so "$libdir")
    fi
    {
        echo "$QEMU_DEB_VERSION"
        sha256sum "$cache"/qemu-src/qemu_*.dsc | cut -c1-64
        printf '%s\n' "${CONFIGURE_ARGS[@]}"
        gcc --version | head -n 1
        (cd "$repo" && sha256sum qemu/patches/*.patch &&
            find qemu/hw qemu/include -type f -print0 | LC_ALL=C sort -z |
            xargs -0 sha256sum)
        cat "$inc"/smmu-ext*.h | sha256sum
        if [ "$libdir" != system ]; then
            cat "$libdir"/src/plugins/smmu-ext/*.map | sha256sum
        fi
        readelf -d "$(readlink -f "$so")" |
            sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p'
    } | sha
}

build_qemu() {
    local libdir=$1 stamp want
    if [ "$libdir" = system ]; then
        unset PKG_CONFIG_PATH
    else
        export PKG_CONFIG_PATH
        PKG_CONFIG_PATH=$(link_lib "$libdir")/build/meson-uninstalled
    fi
    export PYTHONPATH=$pydeps
    want=$(printf '%s\n' "${CONFIGURE_ARGS[@]}" "${PKG_CONFIG_PATH:-system}")
    stamp=$bld/.smmu-ext-configure
    if [ ! -f "$bld/build.ninja" ] || [ ! -f "$stamp" ] ||
       [ "$(cat "$stamp")" != "$want" ]; then
        log "configuring QEMU in $bld"
        mkdir -p "$bld"
        rm -f "$stamp"
        (cd "$bld" && nice -n 10 "$src/configure" "${CONFIGURE_ARGS[@]}" \
            >configure.log 2>&1) ||
            { tail -30 "$bld/configure.log" >&2; die "QEMU configure failed"; }
        printf '%s\n' "$want" >"$stamp"
    fi
    log "building qemu-system-aarch64 (ninja -j$jobs; a cold build takes 15+ minutes)"
    nice -n 10 ninja -C "$bld" -j"$jobs" qemu-system-aarch64 >"$bld/ninja.log" 2>&1 ||
        { grep -B2 -A12 -m3 'error:\|FAILED' "$bld/ninja.log" >&2 ||
          tail -30 "$bld/ninja.log" >&2; die "QEMU build failed"; }
}

main() {
    local libhash libdir qhash qdir out
    mkdir -p "$cache"
    # One build at a time: the work tree and build dir are shared.
    exec 9>"$cache/.qemu-build.lock"
    flock 9
    install_deps
    fetch_meson
    fetch_source
    if [ "${SMMU_EXT_QEMU_LIB:-}" = system ]; then
        pkg-config --exists smmu-ext ||
            die "SMMU_EXT_QEMU_LIB=system: no smmu-ext.pc (install libsmmu-ext-dev)"
        libhash=system
        libdir=system
    else
        libhash=$(lib_hash)
        libdir=$(build_lib "$libhash")
    fi
    qhash=$(qemu_hash "$libdir")
    qdir=$cache/qemu-$qhash
    if [ ! -x "$qdir/qemu-system-aarch64" ]; then
        lay_in
        build_qemu "$libdir"
        mkdir -p "$qdir"
        cp "$bld/qemu-system-aarch64" "$qdir/qemu-system-aarch64.tmp"
        mv "$qdir/qemu-system-aarch64.tmp" "$qdir/qemu-system-aarch64"
    else
        log "cached: $qdir"
    fi
    out=$qdir/lib-$libhash
    [ "$libdir" = system ] && out=$qdir/system
    if [ ! -x "$out/qemu-system-aarch64" ]; then
        rm -rf "$out.tmp" && mkdir -p "$out.tmp"
        ln "$qdir/qemu-system-aarch64" "$out.tmp/qemu-system-aarch64"
        if [ "$libdir" != system ]; then
            ln -s "$libdir/build/plugins/smmu-ext" "$out.tmp/lib"
        fi
        rm -rf "$out" && mv "$out.tmp" "$out"
    fi
    echo "$out/qemu-system-aarch64"
}

main "$@"; exit
