#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""An emulated Tegra241 CMDQV migrates (the smmuv3/ext subsection) and
resets with the machine.

    test-qemu-cli-migrate.py QEMU DEST-CMDQV

The source guest-writes a few extension registers over qtest and migrates
to a file; a destination with cmdqv=DEST-CMDQV loads it.  With tegra241 the
destination must read back the same registers; with another value the
load must fail.  Then system_reset on the destination must bring the
registers back to their reset values.  Exit 0 when all of that holds.
"""
import re
import subprocess
import sys
import tempfile
import time

from qemu_line import Line

REGS = (0x00000, 0x01000, 0x00200, 0x40000)   # CONFIG, VINTF0, ALLOC, BASE


def start(qemu, tmp, name, cmdqv, extra=()):
    qs, ms = "%s/%s-qtest.sock" % (tmp, name), "%s/%s-qmp.sock" % (tmp, name)
    p = subprocess.Popen(
        [qemu, "-M", "virt", "-accel", "qtest", "-display", "none",
         "-nic", "none", "-nodefaults",
         "-qtest", "unix:" + qs + ",server=on,wait=off", "-qtest-log", "none",
         "-qmp", "unix:" + ms + ",server=on,wait=off",
         "-device", "arm-smmuv3,primary-bus=pcie.0,id=smmu0,cmdqv=" + cmdqv]
        + list(extra),
        stdout=subprocess.DEVNULL, stderr=open(tmp + "/" + name + ".err", "w"))
    try:
        m = Line(ms)
        m.recv_line()
        m.qmp("qmp_capabilities")
        return p, Line(qs), m
    except (OSError, RuntimeError):
        return p, None, None    # it exited: the caller reads why


def ext_base(m):
    r = m.qmp("human-monitor-command", **{"command-line": "info mtree -f"})
    return int(re.search(r"([0-9a-f]+)-[0-9a-f]+ \(prio [-0-9]+, i/o\): "
                         r"tegra241\b", r["return"]).group(1), 16)


def read_regs(qt, base):
    return [int(qt.cmd("readl 0x%x" % (base + r)).split()[1], 16)
            for r in REGS]


def wait_status(m, want, key="query-migrate"):
    for _ in range(600):
        try:
            r = m.qmp(key)["return"]
        except (OSError, RuntimeError, ValueError):
            return None         # QEMU went away (a refused stream)
        if r.get("status") in want:
            return r.get("status")
        time.sleep(0.1)
    return None


def main():
    qemu, dest = sys.argv[1:3]
    tmp = tempfile.mkdtemp(prefix="smmu-ext-mig-")
    procs = []
    try:
        p, qt, m = start(qemu, tmp, "src", "tegra241")
        procs.append(p)
        base = ext_base(m)
        reset = read_regs(qt, base)
        for off, val in ((0x00000, 0x0), (0x01000, 0x1), (0x00200, 0x1),
                         (0x40000, 0x40100008)):
            assert qt.cmd("writel 0x%x 0x%x" % (base + off, val)) == "OK"
        before = read_regs(qt, base)
        m.qmp("migrate", uri="file:" + tmp + "/stream")
        st = wait_status(m, ("completed", "failed"))
        m.qmp("quit")
        p.wait(timeout=60)

        p, qt, m = start(qemu, tmp, "dst", dest,
                         ["-incoming", "file:" + tmp + "/stream"])
        procs.append(p)
        loaded = m and wait_status(m, ("postmigrate", "paused", "running",
                                       "inmigrate-failed", "shutdown",
                                       "internal-error"), "query-status")
        if m is None or dest != "tegra241":
            p.wait(timeout=60)
            err = open(tmp + "/dst.err").read().strip()
            print("source %s; destination cmdqv=%s exited %s: %s"
                  % (st, dest, p.returncode, err))
            sys.exit(0 if dest != "tegra241" and p.returncode else 1)
        after = read_regs(qt, ext_base(m))
        m.qmp("system_reset")
        time.sleep(0.5)
        again = read_regs(qt, ext_base(m))
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
    print("reset %s, written %s, migrated (%s, %s) %s, after system_reset %s"
          % ([hex(v) for v in reset], [hex(v) for v in before], st, loaded,
             [hex(v) for v in after], [hex(v) for v in again]))
    ok = (st == "completed" and before != reset and after == before and
          again == reset)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
