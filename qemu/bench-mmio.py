#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Cost of one trapped access to the extension region against one access
to an SMMUv3 register, in one QEMU process (a benchmark, never a test).

    qemu/bench-mmio.py [QEMU] [N]

QEMU (default: what qemu/build.sh prints) runs under callgrind with
-accel qtest and one arm-smmuv3,cmdqv=tegra241.  Over the qtest socket the
script reads an SMMUv3 register N times, has callgrind dump, reads an
extension register N times, dumps again.  Each dump then holds one kind of
access only, and the figure is the instructions per call of the functions
every trapped access goes through:

  (whole qtest readl)         everything in the phase over N: the qtest
                              line, its parsing, the access, the reply
  qtest_process_command       one qtest command: parsing, the FlatView
                              lookup, the access, formatting the reply
  flatview_read_continue      the access below the lookup
  memory_region_dispatch_read the region dispatch and the handler
"""
import json
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests", "qemu"))
from qemu_line import Line  # noqa: E402

FUNCS = ("qtest_process_command", "flatview_read_continue",
         "memory_region_dispatch_read")


def qemu_path():
    if len(sys.argv) > 1 and sys.argv[1]:
        return sys.argv[1]
    here = os.path.dirname(os.path.abspath(__file__))
    out = subprocess.run([os.path.join(here, "build.sh")], check=True,
                         stdout=subprocess.PIPE, text=True).stdout
    return out.strip().splitlines()[-1]


def region_base(mtree, name):
    m = re.search(r"([0-9a-f]+)-[0-9a-f]+ \(prio [-0-9]+, i/o\): " +
                  re.escape(name) + r"\b", mtree)
    if not m:
        raise RuntimeError("no region %s in info mtree" % name)
    return int(m.group(1), 16)


def parse_callgrind(path):
    """{function: [calls, inclusive Ir]} from the call arcs of one dump."""
    names, res = {}, {"(whole qtest readl)": [0, 0]}
    cfn = None
    with open(path) as f:
        lines = f.read().splitlines()
    i = 0
    while i < len(lines):
        ln = lines[i]
        m = re.match(r"(c?)fn=(?:\((\d+)\))? ?(.*)", ln)
        if m:
            key, name = m.group(2), m.group(3)
            if key and name:
                names[key] = name
            elif key:
                name = names.get(key)
            if m.group(1):
                cfn = name
        elif ln.startswith("summary:"):
            res["(whole qtest readl)"][1] = int(ln.split()[1])
        elif ln.startswith("calls=") and cfn:
            calls = int(ln[6:].split()[0])
            cost = int(lines[i + 1].split()[1])
            ent = res.setdefault(cfn, [0, 0])
            ent[0] += calls
            ent[1] += cost
            i += 1
        i += 1
    return res


def main():
    qemu = qemu_path()
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    tmp = tempfile.mkdtemp(prefix="smmu-ext-bench-")
    qsock, msock = tmp + "/qtest.sock", tmp + "/qmp.sock"
    out = tmp + "/callgrind.out"
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=" + out,
           "--compress-strings=no", "--compress-pos=no", qemu, "-M", "virt", "-accel", "qtest",
           "-display", "none", "-nic", "none", "-nodefaults",
           "-qtest", "unix:" + qsock + ",server=on,wait=off", "-qtest-log", "none",
           "-qmp", "unix:" + msock + ",server=on,wait=off",
           "-device", "arm-smmuv3,primary-bus=pcie.0,id=smmu0,cmdqv=tegra241"]
    vg = subprocess.Popen(cmd, stdout=subprocess.DEVNULL,
                          stderr=open(tmp + "/stderr", "w"))
    try:
        # QEMU under callgrind takes long to listen.
        q, m = Line(qsock, 600, 0.2), Line(msock, 600, 0.2)
        json.loads(m.recv_line())
        m.qmp("qmp_capabilities")
        mtree = m.qmp("human-monitor-command",
                      **{"command-line": "info mtree -f"})["return"]
        smmu = region_base(mtree, "arm-smmuv3")
        ext = region_base(mtree, "tegra241")

        def phase(addr):
            # Warm up, then zero, N reads, dump.
            for _ in range(100):
                q.send("readl 0x%x" % addr)
                q.recv_line()
            subprocess.run(["callgrind_control", "-z", str(vg.pid)],
                           check=True, stdout=subprocess.DEVNULL)
            for _ in range(n):
                q.send("readl 0x%x" % addr)
                if not q.recv_line().startswith("OK"):
                    raise RuntimeError("qtest readl failed")
            subprocess.run(["callgrind_control", "-d", str(vg.pid)],
                           check=True, stdout=subprocess.DEVNULL)

        phase(smmu)          # IDR0 of the SMMUv3
        phase(ext)           # CONFIG of the Tegra241 CMDQV
        m.qmp("quit")
        vg.wait(timeout=300)
    finally:
        if vg.poll() is None:
            vg.kill()
    dumps = sorted((p for p in os.listdir(tmp)
                    if p.startswith("callgrind.out.")),
                   key=lambda p: int(p.rsplit(".", 1)[1]))
    a, b = (parse_callgrind(os.path.join(tmp, d)) for d in dumps[:2])
    print("QEMU: %s" % qemu)
    print("accesses per phase: %d (qtest readl, 4 bytes)" % n)
    print("%-28s %12s %12s %7s" % ("Ir per access", "SMMUv3 reg", "ext reg",
                                   "ratio"))
    for r in (a, b):
        r["(whole qtest readl)"][0] = n
    for fn in ("(whole qtest readl)",) + FUNCS:
        ca, ia = a.get(fn, [0, 0])
        cb, ib = b.get(fn, [0, 0])
        if not ca or not cb:
            print("%-28s (not called: %d, %d)" % (fn, ca, cb))
            continue
        print("%-28s %12.1f %12.1f %7.3f" % (fn, ia / ca, ib / cb,
                                             (ib / cb) / (ia / ca)))


if __name__ == "__main__":
    main()
