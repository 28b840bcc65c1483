#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-or-later
#
# /init of the guest suite's initramfs.  It checks, from inside the guest,
# what the host cannot see: which iommu group type each virtio disk's PCI
# function is in, that whole-disk reads and a written block survive DMA
# through the SMMU, and what the CMDQV registers read back.  Every finding
# is one "SMMUEXT-RESULT <what> key=value..." line on the console; the host
# (guest-test.py) decides pass or fail.
#
# Options come from the kernel command line (unknown key=value words land
# in init's environment):
#   smmuext_boots=N   boots in one QEMU run (reboot until the Nth), default 1
#   smmuext_reads=N   direct 4 KiB reads per disk and CPU (invalidation load)
#   smmuext_wait=WORD before the disk checks, say "ready" and keep DMA going
#                     on every CPU until WORD shows in the kernel log (at
#                     most 120 s): the host injects a fault on "ready", and
#                     the checks that follow see DMA after the recovery
#   smmuext_unplug=SERIAL the same, until the disk SERIAL is gone (the host
#                     device_dels it on "ready")
#
# The disk's last 64 blocks are scratch: boot k writes a marker block at
# scratch block k, so the number of markers already there is this boot's
# index.  The marker is a pure function of (serial, boot) that the host
# rebuilds to find it in the image file and to know each boot's md5.

/bin/busybox mkdir -p /proc /sys /dev /tmp /bin /sbin /usr/bin /usr/sbin
/bin/busybox mount -t proc proc /proc
/bin/busybox --install -s
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null

r() { echo "SMMUEXT-RESULT $*"; }
up() { cut -d' ' -f1 /proc/uptime; }

r "init uptime=$(up) cpus=$(grep -c ^processor /proc/cpuinfo)"

boots=${smmuext_boots:-1}
reads=${smmuext_reads:-0}
bs=4096
scratch_blocks=64

# marker SERIAL BOOT: 64 lines of 63 characters and a newline = 4096 bytes.
marker() {
    j=0
    while [ $j -lt 64 ]; do
        printf '%-63s\n' "SMMUEXT-MARK serial=$1 boot=$2 line=$j"
        j=$((j + 1))
    done
}

is_marker() {    # dev block
    [ "$(dd if="/dev/$1" bs=$bs skip="$2" count=1 2>/dev/null | head -c 12)" \
        = SMMUEXT-MARK ]
}

# The CMDQV as the guest's registers show it: CONFIG, STATUS, VINTF0
# CONFIG (bit 0 enable, bit 17 HYP_OWN: 0 in a guest) and STATUS, and
# each VCMDQ's CMDQ_ALLOC, CONFIG, STATUS and BASE (low word: LOG2SIZE)
# through the VINTF0 pages.
cmdqv_regs() {
    grep -i 'NVDA200C' /proc/iomem | while read -r range _ name; do
        base=0x${range%%-*}
        rd() { devmem $((base + $1)) 32; }
        line="cmdqv dev=$name base=$base config=$(rd 0) param=$(rd 4)"
        line="$line status=$(rd 8) vintf0_config=$(rd 0x1000)"
        line="$line vintf0_status=$(rd 0x1004)"
        param=$(rd 4)
        nq=$((1 << ((param >> 4) & 0xf) >> ((param >> 8) & 0xf)))
        [ $nq -le 16 ] || nq=16
        q=0
        while [ $q -lt $nq ]; do
            line="$line alloc$q=$(rd $((0x200 + 4 * q)))"
            line="$line vcmdq${q}_config=$(rd $((0x30008 + 0x80 * q)))"
            line="$line vcmdq${q}_status=$(rd $((0x3000c + 0x80 * q)))"
            line="$line vcmdq${q}_base=$(rd $((0x40000 + 0x80 * q)))"
            q=$((q + 1))
        done
        r "$line"
    done
}

# Conditions the host waits on (the kernel command line does not count).
logged() { dmesg | grep -v smmuext_ | grep -q -- "$1"; }
gone() { ! grep -qx -- "$1" /sys/block/vd*/serial 2>/dev/null; }

# wait_until WHAT COND ARG: say "ready" (the host acts on it), then, until
# COND ARG holds (at most 120 s), short direct reads on each CPU, so that
# every CPU's VCMDQ keeps consuming commands while the host acts.
wait_until() {
    r "ready $1=$3 uptime=$(up)"
    ncpu=$(grep -c ^processor /proc/cpuinfo)
    n=0
    found=0
    while [ $n -lt 240 ]; do
        if $2 "$3"; then
            found=1
            break
        fi
        for dev in /sys/block/vd*; do
            [ -e "$dev" ] || continue
            c=0
            while [ $c -lt $ncpu ]; do
                taskset -c $c dread "/dev/${dev##*/}" 16 1024 2>/dev/null
                c=$((c + 1))
            done
        done
        sleep 0.5
        n=$((n + 1))
    done
    r "wait $1=$3 found=$found uptime=$(up)"
}
[ -n "${smmuext_wait:-}" ] && wait_until word logged "$smmuext_wait"
[ -n "${smmuext_unplug:-}" ] && wait_until unplug gone "$smmuext_unplug"

boot=-1
disks=""
for sysdev in /sys/block/vd*; do
    [ -e "$sysdev" ] || continue
    dev=${sysdev##*/}
    disks="$disks $dev"
    serial=$(cat "$sysdev/serial" 2>/dev/null)
    pci=$(readlink -f "$sysdev/device/..")
    if [ -e "$pci/iommu_group" ]; then
        group=$(basename "$(readlink -f "$pci/iommu_group")")
        gtype=$(cat "$pci/iommu_group/type")
    else
        group=none
        gtype=none
    fi
    sectors=$(cat "$sysdev/size")
    blocks=$((sectors * 512 / bs))
    scratch=$((blocks - scratch_blocks))
    k=0
    while [ $k -lt $scratch_blocks ] && is_marker "$dev" $((scratch + k)); do
        k=$((k + 1))
    done
    [ $boot -lt 0 ] && boot=$k
    r "disk serial=$serial dev=$dev pci=${pci##*/} group=$group type=$gtype" \
      "sectors=$sectors boot=$k"
    sum=$(md5sum "/dev/$dev" | cut -d' ' -f1)
    r "md5 serial=$serial boot=$k md5=$sum"

    marker "$serial" "$k" >/tmp/mark
    want=$(md5sum /tmp/mark | cut -d' ' -f1)
    dd if=/tmp/mark of="/dev/$dev" bs=$bs seek=$((scratch + k)) count=1 \
        conv=fsync 2>/dev/null
    sync
    blockdev --flushbufs "/dev/$dev"
    echo 3 >/proc/sys/vm/drop_caches
    got=$(dd if="/dev/$dev" bs=$bs skip=$((scratch + k)) count=1 2>/dev/null |
          md5sum | cut -d' ' -f1)
    r "write serial=$serial boot=$k block=$((scratch + k)) want=$want got=$got"
done
r "disks count=$(echo $disks | wc -w) boot=$boot"

cmdqv_regs

# Invalidation load: in strict mode every DMA unmap is a TLB invalidation
# and a CMD_SYNC, so direct 4 KiB reads make the most of them per byte
# (dread: busybox dd drops O_DIRECT when its buffer is unaligned).  One
# reader per disk and CPU, so that each CPU's VCMDQ gets used; the
# scratch blocks are left out.
if [ "$reads" -gt 0 ]; then
    t0=$(up)
    ncpu=$(grep -c ^processor /proc/cpuinfo)
    pids=""
    for dev in $disks; do
        span=$(($(cat /sys/block/$dev/size) * 512 / bs - scratch_blocks))
        c=0
        while [ $c -lt $ncpu ]; do
            taskset -c $c dread "/dev/$dev" "$reads" "$span" \
                2>/tmp/dread.$dev.$c &
            pids="$pids $!"
            c=$((c + 1))
        done
    done
    fails=0
    for pid in $pids; do
        wait "$pid" || fails=$((fails + 1))
    done
    t1=$(up)
    r "workload reads=$reads disks=$(echo $disks | wc -w) cpus=$ncpu" \
      "jobs=$(echo $pids | wc -w) failed=$fails t0=$t0 t1=$t1"
    cat /tmp/dread.* 2>/dev/null | sed 's/^/SMMUEXT-DREAD /'
fi

r "done boot=$boot of=$boots uptime=$(up)"
if [ $((boot + 1)) -lt "$boots" ]; then
    reboot -f
else
    poweroff -f
fi
sleep 10
