#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# Add the Debian suites the QEMU, guest and kernel suites need beyond a
# fresh bookworm machine: bookworm-backports (meson >= 1.5) and sid (QEMU
# and Linux sources, deb and deb-src).  The archive URI is the one this
# machine's apt sources already use for bookworm; no host name is written
# here.  Both suites are pinned low so that nothing installed is upgraded:
# packages come from them only when asked for by name or suite.
#
# Idempotent; runs "apt-get update" only when it changed something or when
# the lists are missing.  Needs root.
set -euo pipefail

list=/etc/apt/sources.list.d/smmu-ext-extra.sources
pin=/etc/apt/preferences.d/smmu-ext-extra

archive_uri() {
    local f uri
    # deb822 files first, then one-line sources.list entries.
    for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        [ "$f" = "$list" ] && continue
        uri=$(awk '
            /^[[:space:]]*$/ { if (u && s ~ /(^| )bookworm( |$)/) { print u; exit }
                               u = ""; s = ""; next }
            /^URIs:/   { u = $2 }
            /^Suites:/ { $1 = ""; s = $0 " " }
            END { if (u && s ~ /(^| )bookworm( |$)/) print u }' "$f" | head -n 1)
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$f" ] || continue
        uri=$(awk '$1 == "deb" {
                  i = 2; if ($2 ~ /^\[/) { while ($i !~ /\]$/) i++; i++ }
                  if ($(i + 1) == "bookworm") { print $i; exit } }' "$f")
        [ -n "$uri" ] && { echo "$uri"; return; }
    done
    return 1
}

[ "$(id -u)" = 0 ] || { echo "$0: needs root" >&2; exit 1; }
uri=$(archive_uri) || {
    echo "$0: no bookworm entry in the apt sources to take the mirror from" >&2
    exit 1
}

want=$(cat <<SRC
# Written by smmu-ext scripts/apt-extra-sources.sh (pinned low in $pin).
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb deb-src
URIs: $uri
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
)
want_pin=$(cat <<'PIN'
# Written by smmu-ext scripts/apt-extra-sources.sh: take nothing from these
# suites unless a package or a suite is asked for by name.
Package: *
Pin: release n=sid
Pin-Priority: 1

Package: *
Pin: release n=bookworm-backports
Pin-Priority: 100
PIN
)

changed=0
if [ ! -f "$list" ] || [ "$(cat "$list")" != "$want" ]; then
    printf '%s\n' "$want" >"$list"; changed=1
fi
if [ ! -f "$pin" ] || [ "$(cat "$pin")" != "$want_pin" ]; then
    printf '%s\n' "$want_pin" >"$pin"; changed=1
fi
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64; changed=1
fi
stamp=/var/lib/apt/lists/.smmu-ext-extra-updated
if [ $changed = 1 ] || [ ! -f "$stamp" ] ||
   [ -n "$(find "$stamp" -mmin +720 2>/dev/null)" ]; then
    # One update at a time across concurrent scripts.
    flock /var/lib/apt/lists/.smmu-ext-lock apt-get update -qq
    touch "$stamp"
fi
