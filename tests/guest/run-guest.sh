#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# run-guest.sh [options] [-- extra QEMU arguments]: boot the arm64 guest
# under TCG with UEFI (qemu-efi-aarch64's QEMU_EFI.fd as -bios), the guest
# kernel as -kernel and the suite's initramfs as -initrd, every disk a
# virtio-blk-pci function whose DMA goes through the IOMMU.  The console
# and QEMU's own stderr go, in order, to the log (default: stdout).
# The two share nothing but the file: a QEMU warning can land inside a
# console line, so a reader that parses lines wants -e.
#
#   -q QEMU       QEMU binary (default $QEMU or /usr/bin/qemu-system-aarch64)
#   -k KERNEL     4k, 64k (built or taken from the cache) or an Image path
#   -i INITRD     initramfs path (default: build-initramfs.sh)
#   -M MACHINE    -M value (default virt,iommu=smmuv3)
#   -d FILE:SERIAL[:BUS]  add a disk (repeatable), optionally on PCI bus BUS;
#                 the Nth disk (from 0) is device blkN, drive diskN
#   -a ARGS       appended to the kernel command line
#   -s CPUS       -smp (default 2)
#   -t SECONDS    timeout (default 300); exit status 124 when it fires
#   -l LOG        write the log there
#   -r            let the guest reboot (no -no-reboot)
#   -e            leave QEMU's stderr on this script's stderr (no -l)
# Exit status: QEMU's, or 124 on timeout.
set -euo pipefail
. "$(dirname "$0")/common.sh"

qemu=${QEMU:-/usr/bin/qemu-system-aarch64}
kernel=4k initrd="" machine=virt,iommu=smmuv3 append="" cpus=2
timeout_s=300 log="" reboot=0 split=0 disks=()
while getopts q:k:i:M:d:a:s:t:l:re opt; do
    case $opt in
        q) qemu=$OPTARG ;;
        k) kernel=$OPTARG ;;
        i) initrd=$OPTARG ;;
        M) machine=$OPTARG ;;
        d) disks+=("$OPTARG") ;;
        a) append="$append $OPTARG" ;;
        s) cpus=$OPTARG ;;
        t) timeout_s=$OPTARG ;;
        l) log=$OPTARG ;;
        r) reboot=1 ;;
        e) split=1 ;;
        *) guest_die "bad option (see the header of $0)" ;;
    esac
done
shift $((OPTIND - 1))
[ "${1:-}" = "--" ] && shift
[ $split = 0 ] || [ -z "$log" ] || guest_die "-e and -l exclude each other"

guest_need_packages qemu-efi-aarch64
bios=$(dpkg -L qemu-efi-aarch64 | grep -E '/QEMU_EFI\.fd$' | head -n 1)
[ -f "$bios" ] || guest_die "no QEMU_EFI.fd in qemu-efi-aarch64"
[ -x "$qemu" ] || guest_die "no QEMU binary at $qemu"
case $kernel in
    4k|64k) kernel=$(bash "$guest_here/build-kernel.sh" "$kernel") ;;
esac
[ -f "$kernel" ] || guest_die "no kernel at $kernel"
[ -n "$initrd" ] || initrd=$(bash "$guest_here/build-initramfs.sh")

cmdline="console=ttyAMA0 acpi=force panic=-1 iommu.passthrough=0"
cmdline="$cmdline iommu.strict=1 loglevel=8"
cmdline="$cmdline dyndbg=\"file tegra241-cmdqv.c +p\"$append"

args=(-M "$machine" -cpu max -smp "$cpus" -m 1G -nographic -nic none
      -bios "$bios" -kernel "$kernel" -initrd "$initrd" -append "$cmdline")
[ $reboot = 1 ] || args+=(-no-reboot)
# The extra arguments first: they make the buses (pxb-pcie, root ports)
# and SMMUs the disks name.
args+=("$@")
n=0
for d in "${disks[@]}"; do
    IFS=: read -r file serial bus <<<"$d"
    [ -f "$file" ] || guest_die "no disk image $file"
    dev="virtio-blk-pci,drive=disk$n,id=blk$n,serial=${serial:-disk$n}"
    dev="$dev,disable-legacy=on,iommu_platform=on${bus:+,bus=$bus}"
    args+=(-drive "if=none,id=disk$n,format=raw,file=$file" -device "$dev")
    n=$((n + 1))
done

run() {
    echo "+ $qemu ${args[*]}"
    rc=0
    timeout -k 10 "$timeout_s" "$qemu" "${args[@]}" </dev/null || rc=$?
    [ $rc = 124 ] && echo "run-guest.sh: timeout after ${timeout_s}s"
    echo "run-guest.sh: exit $rc"
    return $rc
}
if [ -n "$log" ]; then
    run >"$log" 2>&1
elif [ $split = 1 ]; then
    run
else
    run 2>&1
fi
