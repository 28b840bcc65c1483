#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-guest.sh BZIMAGE INITRAMFS LOG
#
# Boot the x86_64 test guest and wait until its /init has run /run.sh and
# rebooted (the guest prints "@@GUEST-DONE rc=N").  The serial console goes
# to LOG, QEMU's stderr to LOG.qemu.  qemu-system-x86_64 -accel tcg
# -cpu max -m 2G -nographic; KVM is used only when /dev/kvm exists and a
# probe boot shows that guest user mode works under it (on some hosts KVM
# accepts the guest but user mode cannot make system calls); the probe's
# answer is cached.
# Exit status: the guest's rc, or 124 on timeout, 125 if it never came up.
set -euo pipefail

[ $# = 3 ] || { echo "usage: $0 BZIMAGE INITRAMFS LOG" >&2; exit 2; }
kernel=$1 initrd=$2 log=$3
cache=${SMMU_EXT_CACHE:-/var/cache/smmu-ext}
timeout_s=${SMMU_EXT_GUEST_TIMEOUT:-900}

if ! command -v qemu-system-x86_64 >/dev/null; then
    if [ "$(id -u)" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive flock /var/lib/apt/lists/.smmu-ext-lock \
            apt-get install -y -qq --no-install-recommends qemu-system-x86 >&2
    else
        echo "$0: qemu-system-x86_64 is not installed (package qemu-system-x86)" >&2
        exit 1
    fi
fi

# QEMU's own stderr goes beside the log, as LOG.qemu: on one pipe with the
# serial console a warning can land inside a console line and break the
# transcript that the suite compares.
boot() {    # accel, initrd, log, timeout
    timeout --foreground -k 5 "$4" qemu-system-x86_64 -accel "$1" -cpu max \
        -m 2G -smp 1 -nographic -no-reboot -nodefaults -serial stdio \
        -kernel "$kernel" -initrd "$2" \
        -append "console=ttyS0 quiet panic=-1 rdinit=/init" \
        </dev/null >"$3" 2>"$3.qemu"
}

accel=tcg
if [ -w /dev/kvm ] && [ -z "${SMMU_EXT_NO_KVM:-}" ]; then
    probe_key=$( { sha256sum "$kernel"; qemu-system-x86_64 --version; uname -r; } |
                 sha256sum | cut -c1-16)
    probe=$cache/kvm-probe-$probe_key
    if [ ! -f "$probe" ]; then
        # The smallest image whose /init needs user-mode system calls.
        tmp=$(mktemp -d)
        printf 'echo probe\n' >"$tmp/run.sh"
        img=$(bash "$(dirname "$0")/build-initramfs.sh" "$tmp/run.sh")
        # A KVM that cannot run the guest may abort qemu: keep it quiet.
        (boot kvm "$img" "$tmp/log" 60) 2>/dev/null || true
        if grep -q '@@GUEST-DONE' "$tmp/log"; then
            echo kvm >"$probe"
        else
            echo tcg >"$probe"
        fi
        rm -rf "$tmp"
    fi
    accel=$(cat "$probe")
fi
echo "booting with -accel $accel (log: $log)" >&2

rc=0
boot "$accel" "$initrd" "$log" "$timeout_s" || rc=$?
tr -d '\r' <"$log" >"$log.tmp" && mv "$log.tmp" "$log"
if ! grep -q '@@GUEST-UP' "$log"; then
    echo "$0: the guest never ran /init (qemu rc $rc); last lines:" >&2
    tail -n 20 "$log" "$log.qemu" >&2
    exit 125
fi
if ! done_line=$(grep -m1 '@@GUEST-DONE' "$log"); then
    echo "$0: the guest did not finish within ${timeout_s}s (qemu rc $rc)" >&2
    tail -n 20 "$log" "$log.qemu" >&2
    exit 124
fi
exit "${done_line##*rc=}"
