#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""A command the guest puts into an emulated Tegra241 VCMDQ is executed by
the SMMUv3's own command code, errors included.

    test-qemu-cli-vcmdq.py QEMU STAGE EXPECT

Brings VCMDQ0 up over qtest (the Linux driver's order), queues TLBI_NH_ASID
and CMD_SYNC and rings PROD.  With STAGE=1 both must complete (CONS = 2)
and QEMU's trace must show the SMMUv3 executing them; with STAGE=2 the
SMMUv3 has no stage 1, so its code refuses TLBI_NH_ASID and the queue
stops at CONS 0 with CONS.ERR = 1 (illegal) and GERROR toggled.  EXPECT is
"ok" or "ill"; exit 0 when the outcome matches.
"""
import json
import os
import re
import struct
import subprocess
import sys
import tempfile

from qemu_line import Line

RAM_QUEUE = 0x40100000     # virt RAM starts at 0x40000000


def main():
    qemu, stage, expect = sys.argv[1:4]
    tmp = tempfile.mkdtemp(prefix="smmu-ext-vcmdq-")
    qsock, msock, log = tmp + "/qtest.sock", tmp + "/qmp.sock", tmp + "/log"
    p = subprocess.Popen(
        [qemu, "-M", "virt", "-accel", "qtest", "-display", "none",
         "-nic", "none", "-nodefaults", "-m", "128M",
         "-qtest", "unix:" + qsock + ",server=on,wait=off", "-qtest-log", "none",
         "-qmp", "unix:" + msock + ",server=on,wait=off",
         "-D", log, "-trace", "enable=smmuv3_cmdq_opcode",
         "-device", "arm-smmuv3,primary-bus=pcie.0,id=smmu0,stage=%s,"
         "cmdqv=tegra241" % stage],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qt, m = Line(qsock), Line(msock)
        m.recv_line()
        for c in ({"execute": "qmp_capabilities"},
                  {"execute": "human-monitor-command",
                   "arguments": {"command-line": "info mtree -f"}}):
            m.sock.sendall(json.dumps(c).encode() + b"\n")
            while True:
                r = json.loads(m.recv_line())
                if "return" in r:
                    break
        base = int(re.search(r"([0-9a-f]+)-[0-9a-f]+ \(prio [-0-9]+, i/o\): "
                             r"tegra241\b", r["return"]).group(1), 16)

        def w32(off, v):
            assert qt.cmd("writel 0x%x 0x%x" % (base + off, v)) == "OK"

        def w64(off, v):
            assert qt.cmd("writeq 0x%x 0x%x" % (base + off, v)) == "OK"

        def r32(off):
            return int(qt.cmd("readl 0x%x" % (base + off)).split()[1], 16)

        w32(0x00000, 0x1)                  # CONFIG.CMDQV_EN
        w32(0x01000, 0x1)                  # VINTF0 CONFIG.ENABLE
        w32(0x00200, 0x1)                  # CMDQ_ALLOC_MAP(0).ALLOC
        w64(0x40000, RAM_QUEUE | 8)        # VCMDQ0 BASE, 256 entries
        w32(0x30008, 0x1)                  # VCMDQ0 CONFIG.EN
        status = r32(0x3000c)
        # TLBI_NH_ASID (ASID 1), CMD_SYNC (CS = none)
        cmds = struct.pack("<4Q", 0x0001000000000011, 0, 0x46, 0)
        assert qt.cmd("write 0x%x %d 0x%s" % (RAM_QUEUE, len(cmds),
                                               cmds.hex())) == "OK"
        gerror0 = r32(0x30010)
        w32(0x30004, 2)                    # PROD
        cons, gerror = r32(0x30000), r32(0x30010)
    finally:
        p.kill()
        p.wait()
    with open(log) as f:
        trace = f.read()
    executed = re.findall(r"smmuv3_cmdq_opcode.*?<--- (\S+)", trace)
    print("STATUS.EN %d, CONS 0x%x, GERROR 0x%x -> 0x%x, SMMUv3 executed %s"
          % (status & 1, cons, gerror0, gerror, executed))
    if expect == "ok":
        good = (status & 1 and cons == 2 and gerror == gerror0 and
                executed == ["SMMU_CMD_TLBI_NH_ASID", "SMMU_CMD_SYNC"])
    else:
        good = ((cons & 0xffffff) == 0 and ((cons >> 24) & 0x7f) == 1 and
                gerror != gerror0 and executed == ["SMMU_CMD_TLBI_NH_ASID"])
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
