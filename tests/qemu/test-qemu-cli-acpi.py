#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""The virt machine's ACPI tables describe a selected Tegra241 CMDQV the way
Linux looks for it: a DSDT device NVDA200C whose _UID is the Identifier of
its SMMUv3's IORT node, with the extension region and its interrupt.

    test-qemu-cli-acpi.py QEMU MACHINE-OPTIONS CMDQV present|absent|two

Reads etc/acpi/tables through fw_cfg over the qtest protocol (no guest
firmware needed) and prints one line of facts; exits 1 unless the tables
hold exactly one correct NVDA200C device (present) or none (absent).
"two" adds a pxb-pcie bus with a second arm-smmuv3 (cmdqv=CMDQV too) and
wants two devices whose _UIDs are their own SMMUs' IORT identifiers.
"""
import os
import json
import re
import struct
import subprocess
import sys
import tempfile

from qemu_line import Line

FW_CFG = 0x09020000          # virt's fw_cfg: data at +0, selector at +8
FW_CFG_FILE_DIR = 0x19
PLATFORM_BUS = 0x0c000000    # virt's platform bus
OEM = b"BOCHS "               # virt's default oem-id


def fw_cfg_select(qt, key):
    # The selector is a big-endian 16-bit register.
    qt.cmd("writew 0x%x 0x%x" % (FW_CFG + 8, struct.unpack("<H",
           struct.pack(">H", key))[0]))


def fw_cfg_read(qt, n):
    out = b""
    while len(out) < n:
        chunk = min(8, n - len(out))
        r = qt.cmd("read 0x%x %d" % (FW_CFG, chunk))
        if not r.startswith("OK 0x"):
            raise RuntimeError("qtest read: " + r)
        out += bytes.fromhex(r[5:])
    return out


def fw_cfg_file(qt, name):
    fw_cfg_select(qt, FW_CFG_FILE_DIR)
    count = struct.unpack(">I", fw_cfg_read(qt, 4))[0]
    files = {}
    for _ in range(count):
        ent = fw_cfg_read(qt, 64)
        size, sel = struct.unpack(">IH", ent[:6])
        files[ent[8:].rstrip(b"\0").decode()] = (sel, size)
    sel, size = files[name]
    fw_cfg_select(qt, sel)
    return fw_cfg_read(qt, size)


def table(blob, sig):
    """The table @sig of the blob (checksums are only filled in by the
    firmware's loader, so match the header's OEM ID instead)."""
    for m in re.finditer(re.escape(sig), blob):
        i = m.start()
        length = struct.unpack("<I", blob[i + 4:i + 8])[0]
        if 36 <= length <= len(blob) - i and blob[i + 10:i + 16] == OEM:
            return blob[i:i + length]
    raise RuntimeError("no valid %s table" % sig.decode())


def iort_smmuv3_ids(iort):
    n, off = struct.unpack("<II", iort[36:44])
    ids = []
    for _ in range(n):
        typ, length = struct.unpack("<BH", iort[off:off + 3])
        ident = struct.unpack("<I", iort[off + 4:off + 8])[0]
        if typ == 4:
            base = struct.unpack("<Q", iort[off + 16:off + 24])[0]
            ids.append((ident, base))
        off += length
    return ids


def aml_int(b, i):
    """An AML integer at b[i]: (value, length)."""
    op = b[i]
    if op in (0x00, 0x01):
        return op, 1
    if op == 0xFF:
        return 0xFFFFFFFFFFFFFFFF, 1
    size = {0x0A: 1, 0x0B: 2, 0x0C: 4, 0x0E: 8}[op]
    return int.from_bytes(b[i + 1:i + 1 + size], "little"), 1 + size


def cmdqv_devices(dsdt):
    """[(uid, base, length, irq)] of every NVDA200C device."""
    out = []
    hid = b"\x08_HID\x0dNVDA200C\x00"
    for m in re.finditer(re.escape(hid), dsdt):
        body = dsdt[m.end():m.end() + 200]
        u = body.index(b"\x08_UID")
        uid, _ = aml_int(body, u + 5)
        # QWord memory descriptor (0x8A): min at +14, length at +38.
        q = body.index(b"\x8a\x2b\x00")
        base = struct.unpack("<Q", body[q + 14:q + 22])[0]
        length = struct.unpack("<Q", body[q + 38:q + 46])[0]
        # Extended interrupt descriptor (0x89): flags, count, irq.
        x = body.index(b"\x89", q + 46)
        irq = struct.unpack("<I", body[x + 5:x + 9])[0]
        flags = body[x + 3]
        out.append((uid, base, length, irq, flags))
    return out


def device_pairs(m):
    """{SMMU base: its extension's base}, from the devices' own regions."""
    def qmp(cmd, **args):
        m.sock.sendall(json.dumps({"execute": cmd,
                                   "arguments": args}).encode() + b"\n")
        while True:
            r = json.loads(m.cmd(""))  # skips the greeting and events
            if "return" in r or "error" in r:
                return r

    qmp("qmp_capabilities")
    out = {}
    for dev in ("smmu0", "smmu1"):
        path = "/machine/peripheral/" + dev
        addr = [qmp("qom-get", path="%s/%s[0]" % (path, mr),
                    property="addr")["return"]
                for mr in ("arm-smmuv3", "tegra241")]
        out[PLATFORM_BUS + addr[0]] = PLATFORM_BUS + addr[1]
    return out


def main():
    qemu = sys.argv[1]
    machine, cmdqv, expect = sys.argv[2:5]
    tmp = tempfile.mkdtemp(prefix="smmu-ext-acpi-")
    sock = tmp + "/qtest.sock"
    smmu0 = ["-device", "arm-smmuv3,primary-bus=pcie.0,id=smmu0,cmdqv=" +
             cmdqv]
    if expect == "two":
        # The second SMMU is plugged first, so that the platform bus order
        # differs from the IORT's (by bus number).
        smmu0 = ["-device", "pxb-pcie,id=pcie.1,bus_nr=8,bus=pcie.0",
                 "-device", "arm-smmuv3,primary-bus=pcie.1,id=smmu1,cmdqv=" +
                 cmdqv] + smmu0
    p = subprocess.Popen(
        [qemu, "-M", "virt" + ("," + machine if machine else ""),
         "-accel", "qtest", "-display", "none", "-nic", "none",
         "-nodefaults", "-qtest", "unix:" + sock + ",server=on,wait=off",
         "-qtest-log", "none",
         "-qmp", "unix:" + sock + "-qmp,server=on,wait=off"] + smmu0,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        qt = Line(sock)
        blob = fw_cfg_file(qt, "etc/acpi/tables")
        pairs = device_pairs(Line(sock + "-qmp")) if expect == "two" else []
    finally:
        p.kill()
        p.wait()
    smmus = iort_smmuv3_ids(table(blob, b"IORT"))
    devs = cmdqv_devices(table(blob, b"DSDT"))
    print("IORT SMMUv3 (id, base): %s; NVDA200C (uid, base, len, irq, "
          "flags): %s" % ([(i, hex(b)) for i, b in smmus],
                          [(u, hex(b), hex(n), i, f) for u, b, n, i, f in devs]))
    if expect == "absent":
        sys.exit(1 if devs else 0)
    if expect == "two":
        # The CMDQV with _UID = an SMMU's IORT identifier is that SMMU's.
        print("SMMU -> its CMDQV region: %s" %
              {hex(k): hex(v) for k, v in pairs.items()})
        ok = (len(smmus) == 2 and len(devs) == 2 and
              sorted((i, pairs.get(b)) for i, b in smmus) ==
              sorted((u, b) for u, b, _, _, _ in devs))
        sys.exit(0 if ok else 1)
    if len(smmus) != 1 or len(devs) != 1:
        sys.exit(1)
    uid, base, length, irq, flags = devs[0]
    ok = (uid == smmus[0][0] and length == 0x50000 and
          base != smmus[0][1] and irq >= 32 and flags & 0x2)
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
