#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Install this build tree into a scratch DESTDIR and check what a
# distribution or a module vendor gets: the library and its SONAME, the
# exports, the headers, smmu-ext.pc with moduledir, the modules, the tool
# and its man page; then build and run a program out of tree through
# pkg-config.  Exit 77 (skipped) when a needed tool is missing.
#
# Environment (set by tests/install/meson.build): MESON_BUILD_ROOT,
# SE_PREFIX, SE_LIBDIR, SE_INCLUDEDIR, SE_BINDIR, SE_MANDIR, SE_MODULEDIR
# (absolute, as configured), SE_VERSION and SE_SRCDIR (the source tree).
set -eu

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

for v in MESON_BUILD_ROOT SE_PREFIX SE_LIBDIR SE_INCLUDEDIR SE_BINDIR \
         SE_MANDIR SE_MODULEDIR SE_VERSION SE_SRCDIR; do
    eval "val=\${$v:-}"
    [ -n "$val" ] || fail "$v is not set (run through meson test)"
done
for t in meson readelf pkg-config cc sed grep; do
    command -v "$t" >/dev/null 2>&1 || skip "$t not found"
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/smmu-ext-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
dest=$tmp/root

# --no-rebuild: meson test has already built everything, and a second
# ninja in the same tree while tests run would only contend for its lock.
if ! meson install -C "$MESON_BUILD_ROOT" --no-rebuild --destdir "$dest" \
        >"$tmp/install.log" 2>&1; then
    cat "$tmp/install.log" >&2
    fail "meson install --destdir failed"
fi
pass "meson install --destdir $dest"

libdir=$dest$SE_LIBDIR
moddir=$dest$SE_MODULEDIR

# --- the libraries ------------------------------------------------------
# $1: file name, $2: SONAME, $3: its version nodes (a basic regex).  Only
# smmu_ext_* leaves a library, each name under one of its nodes; that the
# names are exactly the header's is check-exports.py's test (suite abi).
check_lib() {
    lib=$libdir/$2
    [ -f "$lib" ] || fail "$lib missing"
    [ -L "$libdir/$1" ] || fail "$libdir/$1 (dev symlink) missing"
    soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
    [ "$soname" = "$2" ] || fail "SONAME of $1 is '$soname', want $2"
    readelf --dyn-syms -W "$lib" |
        awk '$5 == "GLOBAL" && $7 != "UND" && $4 != "SECTION" { print $8 }' \
        >"$tmp/exports"
    [ -s "$tmp/exports" ] || fail "no exported symbols found in $lib"
    if grep -v -e "^smmu_ext_[A-Za-z0-9_]*@@$3\$" -e "^$3\$" \
            "$tmp/exports" >"$tmp/stray"; then
        fail "unexpected exports of $2: $(tr '\n' ' ' <"$tmp/stray")"
    fi
    pass "$2: SONAME, $(wc -l <"$tmp/exports") exports, all smmu_ext_*@@$3"
}
# SMMU_EXT_PRE_1.0: see plugins/smmu-ext/meson.build (transition).
check_lib libsmmu-ext.so libsmmu-ext.so.1 'SMMU_EXT_\(1\.0\|PRE_1\.0\)'
grep -q '^smmu_ext_version_string@@' "$tmp/exports" ||
    fail "smmu_ext_version_string is not exported"
if grep -q -e '^smmu_ext_sim_' -e '^smmu_ext_vmm_' "$tmp/exports"; then
    fail "the simulator is exported by libsmmu-ext.so.1"
fi
check_lib libsmmu-ext-sim.so libsmmu-ext-sim.so.0 SMMU_EXT_SIM_0
readelf -d "$libdir/libsmmu-ext-sim.so.0" |
    grep -q 'NEEDED.*\[libsmmu-ext\.so\.1\]' ||
    fail "libsmmu-ext-sim.so.0 does not link libsmmu-ext.so.1"
lib=$libdir/libsmmu-ext.so.1

# --- headers and pkg-config ----------------------------------------------
for h in smmu-ext.h smmu-ext-sim.h; do
    [ -f "$dest$SE_INCLUDEDIR/$h" ] || fail "$SE_INCLUDEDIR/$h missing"
done
pass "headers"

pc=$libdir/pkgconfig/smmu-ext.pc
[ -f "$pc" ] || fail "$pc missing"
[ -f "$libdir/pkgconfig/smmu-ext-sim.pc" ] || fail "smmu-ext-sim.pc missing"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
pc_moddir=$(pkg-config --variable=moduledir smmu-ext)
[ "$pc_moddir" = "$SE_MODULEDIR" ] ||
    fail "smmu-ext.pc moduledir is '$pc_moddir', want '$SE_MODULEDIR'"
pass "smmu-ext.pc moduledir=$pc_moddir"

# --- modules, tool, man page ----------------------------------------------
[ -f "$moddir/smmu-ext-tegra241.so" ] ||
    fail "$SE_MODULEDIR/smmu-ext-tegra241.so missing"
readelf --dyn-syms -W "$moddir/smmu-ext-tegra241.so" |
    grep -q ' smmu_ext_module_v1$' ||
    fail "smmu-ext-tegra241.so does not export smmu_ext_module_v1"
pass "module $(ls "$moddir" | tr '\n' ' ')"

tool=$dest$SE_BINDIR/smmu-ext
[ -x "$tool" ] || fail "$SE_BINDIR/smmu-ext missing"
[ -f "$dest$SE_MANDIR/man1/smmu-ext.1" ] ||
    fail "$SE_MANDIR/man1/smmu-ext.1 missing"
pass "tool and man page"

# --- an out-of-tree program, built through pkg-config ------------------------
# The .pc names /usr/... paths; glib's must stay where they are, so only
# this package is relocated into the DESTDIR (PKG_CONFIG_SYSROOT_DIR would
# move glib's -I too).
mkdir "$tmp/pc"
for p in smmu-ext smmu-ext-sim; do
    sed "s|^prefix=.*|prefix=$dest$SE_PREFIX|" "$libdir/pkgconfig/$p.pc" \
        >"$tmp/pc/$p.pc"
done
export PKG_CONFIG_PATH="$tmp/pc"
cat >"$tmp/hello.c" <<'C'
#include <stdio.h>
#include <smmu-ext.h>

int
main(void)
{
    SmmuExtRegistry *reg = smmu_ext_registry_new();

    printf("version %s\n", smmu_ext_version_string());
    printf("moduledir %s\n", MODULEDIR);
    printf("default %s\n", smmu_ext_registry_default_dir());
    smmu_ext_registry_free(reg);
    return 0;
}
C
# shellcheck disable=SC2046 # pkg-config output is meant to be split
if ! cc -o "$tmp/hello" "$tmp/hello.c" -DMODULEDIR="\"$pc_moddir\"" \
        $(pkg-config --cflags --libs smmu-ext) >"$tmp/cc.log" 2>&1; then
    cat "$tmp/cc.log" >&2
    fail "out-of-tree build through pkg-config failed"
fi
case "$(pkg-config --cflags smmu-ext)" in
    *"$dest"*) ;;
    *) fail "pkg-config --cflags does not point into the DESTDIR" ;;
esac
pass "out-of-tree build"

# A simulator user links smmu-ext-sim alone; it brings libsmmu-ext along.
cat >"$tmp/hello-sim.c" <<'C'
#include <stdio.h>
#include <smmu-ext-sim.h>

int
main(void)
{
    SmmuExtSim *sim = smmu_ext_sim_new(SMMU_EXT_SIM_TEGRA241);

    printf("sim live %u\n", smmu_ext_sim_live_total(sim));
    smmu_ext_sim_free(sim);
    return 0;
}
C
# shellcheck disable=SC2046 # pkg-config output is meant to be split
if ! cc -o "$tmp/hello-sim" "$tmp/hello-sim.c" \
        $(pkg-config --cflags --libs smmu-ext-sim) >"$tmp/cc.log" 2>&1; then
    cat "$tmp/cc.log" >&2
    fail "out-of-tree build through pkg-config smmu-ext-sim failed"
fi
pass "out-of-tree build against smmu-ext-sim"

if readelf -d "$lib" | grep -q 'NEEDED.*lib[at]san'; then
    skip "sanitized build: an uninstrumented program cannot load it"
fi
LD_LIBRARY_PATH=$libdir "$tmp/hello" >"$tmp/hello.out" ||
    fail "the out-of-tree program failed"
cat "$tmp/hello.out"
grep -qx "version $SE_VERSION" "$tmp/hello.out" ||
    fail "smmu_ext_version_string() is not $SE_VERSION"
# Installed (not in the build tree): the built-in directory is moduledir.
grep -qx "default $SE_MODULEDIR" "$tmp/hello.out" ||
    fail "the library's built-in module directory is not $SE_MODULEDIR"
pass "out-of-tree run"
LD_LIBRARY_PATH=$libdir "$tmp/hello-sim" >"$tmp/hello-sim.out" ||
    fail "the out-of-tree simulator program failed"
grep -qx "sim live 0" "$tmp/hello-sim.out" ||
    fail "a fresh simulated host is not empty: $(cat "$tmp/hello-sim.out")"
pass "out-of-tree simulator run"

# The installed tool finds the installed modules through the override.
if ! SMMU_EXT_MODULE_DIR=$moddir LD_LIBRARY_PATH=$libdir \
        "$tool" modules >"$tmp/modules.out" 2>&1; then
    cat "$tmp/modules.out" >&2
    fail "smmu-ext modules failed"
fi
grep -q tegra241 "$tmp/modules.out" ||
    fail "smmu-ext modules does not list tegra241: $(cat "$tmp/modules.out")"
pass "installed tool lists the installed modules"

# A module built out of tree as docs/smmu-ext-api.md section 7 says (the
# example module, whose source libsmmu-ext-dev ships), then loaded by the
# installed tool from that directory.
mkdir "$tmp/mod"
# shellcheck disable=SC2046 # pkg-config output is meant to be split
if ! cc -shared -fPIC -fvisibility=hidden -o "$tmp/mod/smmu-ext-example.so" \
        "$SE_SRCDIR/plugins/smmu-ext/example/example.c" \
        $(pkg-config --cflags --libs smmu-ext) >"$tmp/cc.log" 2>&1; then
    cat "$tmp/cc.log" >&2
    fail "the example module does not build out of tree"
fi
if ! LD_LIBRARY_PATH=$libdir \
        "$tool" modules --dir "$tmp/mod" >"$tmp/mod.out" 2>&1; then
    cat "$tmp/mod.out" >&2
    fail "smmu-ext modules failed on the out-of-tree module"
fi
grep -q '^  example ' "$tmp/mod.out" ||
    fail "out-of-tree example module not accepted: $(cat "$tmp/mod.out")"
pass "example module built out of tree and loaded"

# With only the library and the tool (no module directory), the tool still
# works and names the package holding the module.
if ! LD_LIBRARY_PATH=$libdir "$tool" modules --dir "$tmp/no-such-dir" \
        >"$tmp/nomod.out" 2>&1; then
    cat "$tmp/nomod.out" >&2
    fail "smmu-ext modules fails without a module directory"
fi
grep -q 'Modules (0,' "$tmp/nomod.out" && grep -q smmu-ext-module-tegra241 \
    "$tmp/nomod.out" ||
    fail "no module hint in: $(cat "$tmp/nomod.out")"
pass "installed tool works without a module directory"
