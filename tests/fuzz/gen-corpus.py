#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write the structured seeds of tests/fuzz/corpus/ (the replay target
seeds itself from tests/replay/*.replay).  Seeds are checked in; rerun
this after changing an input format:  tests/fuzz/gen-corpus.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def put(target, name, data):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(bytes(data))


# --- pump: [sel][init] then per read() a 16-bit word (+ data) -------------
LOST = 1


def rec(seq, payload_len, flags=0, fill=0xab):
    return struct.pack('<II', flags, seq) + bytes([fill]) * payload_len


def chunk(data):
    assert len(data) < 0x4000
    return struct.pack('<H', len(data)) + data


def pump_seeds():
    smmu = 0      # payload 32, ARM_SMMUV3
    tegra = 0x81  # payload 16, TEGRA241_CMDQV
    put('pump', 'batch', bytes([smmu, 0]) +
        chunk(b''.join(rec(i, 32) for i in range(3))))
    put('pump', 'gap-and-lost', bytes([smmu, 0]) +
        chunk(rec(0, 32) + rec(5, 32) + rec(9, 0, LOST) + rec(10, 32)))
    put('pump', 'torn-record', bytes([smmu, 0]) +
        chunk(rec(0, 32) + rec(1, 32)[:17]) + chunk(rec(2, 32)))
    put('pump', 'bad-flags', bytes([smmu, 0]) +
        chunk(rec(0, 32, flags=0x80) + rec(1, 32)))
    put('pump', 'wrap', bytes([tegra, 2 | (1 << 2) | 1]) +
        chunk(rec(0x7fffffff, 16) + rec(0, 16) + rec(1, 16)))
    put('pump', 'eagain-eintr', bytes([smmu, 0]) +
        chunk(rec(0, 32)) + struct.pack('<H', 0x8000) +
        struct.pack('<H', 0xc000) + chunk(rec(1, 32)) +
        struct.pack('<H', 0xc001) + struct.pack('<H', 0xc002))
    put('pump', 'one-per-read', bytes([smmu, 1]) +
        b''.join(chunk(rec(i, 32)) for i in range(1, 40)))
    put('pump', 'huge-payload', bytes([5, 0]) + chunk(rec(0, 200)))


# --- desc: fields XORed into a valid descriptor ---------------------------
def desc(major=0, minor=0, size=0, strings=(b'', b'', b'', b''),
         ops_size=0, flags=0, mmio_size=0, drop=0, ops_null=False,
         probe_fail=False, geo=(1, 1, 2, 16, 8, 4096), mmio=()):
    d = struct.pack('<IIII', major, minor, size, 0)
    for s in strings:
        if s is None:
            d += b'\xff'
        elif s == b'':
            d += b'\x00'
        else:
            d += bytes([len(s)]) + s
    d += struct.pack('<IIiIIII', ops_size, flags, 0, 0, 0, 0, 0)
    d += struct.pack('<Q', mmio_size)
    d += struct.pack('<IIIH', 0, 0, 0, drop)
    d += bytes([0xff if ops_null else 0, 1 if probe_fail else 0, 0])
    d += struct.pack('<IIIIIQ', *geo)
    for off, sz, write in mmio:
        d += struct.pack('<QB', off, sz | (0x80 if write else 0))
    return d


def desc_seeds():
    region = 0x10000
    put('desc', 'valid', desc(mmio=[(0, 4, False), (region - 8, 8, True),
                                    (region - 4, 8, False),
                                    (region, 4, True), (2**64 - 4, 8, False),
                                    (4, 0, False), (8, 9, True)]))
    put('desc', 'abi-major', desc(major=3))
    put('desc', 'abi-minor', desc(minor=1))
    put('desc', 'small-desc', desc(size=0x40))
    put('desc', 'small-ops', desc(ops_size=0x80))
    put('desc', 'no-ops', desc(ops_null=True))
    put('desc', 'null-name', desc(strings=(None, b'', b'', b'')))
    put('desc', 'long-name', desc(strings=(b'x' * 70, b'', b'', b'')))
    put('desc', 'reserved-name', desc(strings=(b'auto', b'', b'', b'')))
    put('desc', 'bad-name', desc(strings=(b'Tegra 241', b'', b'', b'')))
    put('desc', 'odd-strings', desc(strings=(b'', b'\xff\xfe"\\\n',
                                             b'\x01', b'{}')))
    put('desc', 'missing-ops', desc(drop=0x7f))
    put('desc', 'no-emulation', desc(flags=1))
    put('desc', 'declines', desc(probe_fail=True))
    put('desc', 'tiny-region', desc(mmio_size=0x10000 ^ 3,
                                    mmio=[(0, 4, False), (2, 1, True),
                                          (3, 1, False)]))
    put('desc', 'zero-region', desc(mmio_size=0x10000))


# --- mmio: [hdr] then records [op][args] ---------------------------------
MMIO_REGS = [
    0x0000, 0x0004, 0x0008, 0x0014, 0x0018, 0x001c, 0x0020, 0x0024,
    0x0030, 0x0200, 0x0204, 0x0208, 0x020c, 0x1000, 0x1004, 0x1040,
    0x1080, 0x10c0, 0x10c8, 0x10cc, 0x10000, 0x10004, 0x10008, 0x1000c,
    0x10010, 0x10014, 0x20000, 0x20004, 0x20008, 0x2000c, 0x30000,
    0x30004, 0x30008, 0x3000c, 0x30010, 0x30014, 0x40000, 0x40004,
    0x40008,
]
(OP_R32, OP_W32, OP_R64, OP_W64, OP_RSIZE, OP_WSIZE, OP_STEP, OP_LOOP,
 OP_RESET, OP_ATTACH, OP_DETACH, OP_CMD, OP_EVTQ, OP_EVENT, OP_BASE,
 OP_FAIL) = range(16)
OPC = {0x11: 0, 0x12: 1, 0x40: 2, 0x46: 3}


def off(reg, q=0):
    return bytes([MMIO_REGS.index(reg), q])


def r32(reg, q=0):
    return bytes([OP_R32]) + off(reg, q)


def w32(reg, val, q=0):
    return bytes([OP_W32]) + off(reg, q) + struct.pack('<I', val)


def r64(reg, q=0):
    return bytes([OP_R64]) + off(reg, q)


def cmd(slot, opcode):
    sel = OPC.get(opcode, opcode)
    return (bytes([OP_CMD]) + struct.pack('<H', slot) + bytes([sel]) +
            bytes(7) + bytes(8))


def base(q, log2, ram_off, vintf=True, wide=True):
    b = q | (4 if vintf else 0) | (8 if wide else 0)
    return bytes([OP_BASE, b, log2]) + struct.pack('<I', ram_off >> 5)[:3]


def attach(devid, vsid=None):
    b = (devid - 1) | (0x80 if vsid is not None else 0)
    return bytes([OP_ATTACH, b]) + struct.pack('<H', vsid or 0)


def step(n=1):
    return bytes([OP_STEP | ((n - 1) << 4)])


def loop():
    return bytes([OP_LOOP | 0x10])


def fail(op_index, errno_index, nth=1):
    return bytes([OP_FAIL, op_index | (errno_index << 4), nth - 1])


HWQ_ALLOC = 2   # index into fail_ops[]
ENOMEM = 0


def bring_up():
    d = w32(0x0000, 0x1) + r32(0x0008) + r32(0x0004)
    d += w32(0x1000, 0x1) + r32(0x1004)
    d += w32(0x0200, 0x1) + w32(0x0204, 0x3)
    d += base(0, 8, 0) + base(1, 8, 0x1000, wide=False)
    d += w32(0x30008, 1) + w32(0x30008, 1, q=1)
    d += r32(0x3000c) + r32(0x3000c, q=1)
    return d


def commands():
    d = cmd(0, 0x12) + cmd(1, 0x46) + w32(0x30004, 2) + step()
    d += r32(0x30000) + loop()
    return d


def illegal_and_recover():
    d = cmd(2, 0xf5) + w32(0x30004, 3) + step() + loop()
    d += r64(0x10c0) + r32(0x10010) + r32(0x30010)
    d += w32(0x30014, 1) + w32(0x30000, 3) + step() + r32(0x30000)
    return d


def mmio_seeds():
    lifecycle = (attach(1, 0x10) + bring_up() + commands() +
                 illegal_and_recover() + bytes([OP_RESET, 0]) +
                 bring_up() + commands() + bytes([OP_DETACH]))
    put('mmio', 'linux-lifecycle', bytes([0]) + lifecycle)
    put('mmio', 'linux-lifecycle-64k', bytes([1]) + lifecycle)
    put('mmio', 'hwq-alloc-fails', bytes([0]) + attach(1, 0x10) +
        fail(HWQ_ALLOC, ENOMEM) + bring_up() + r32(0x10010) +
        r32(0x30010) + w32(0x30014, 4) + bring_up() + commands())
    put('mmio', 'hotplug', bytes([0]) + attach(1, 0x10) + bring_up() +
        attach(2, 0x20) + commands() + bytes([OP_DETACH | 0x10]) +
        attach(2, 0x21) + bytes([OP_DETACH]) + commands())
    put('mmio', 'eventq', bytes([4]) + attach(1, 0x10) +
        bytes([OP_EVTQ | 0x10, 8, OP_EVENT, 0]) + bytes(16) +
        bytes([OP_EVENT, 1]) + struct.pack('<QQ', 1, 0) + loop() +
        bytes([OP_EVTQ, 0]))
    put('mmio', 'odd-accesses', bytes([2]) + attach(1) +
        bytes([OP_RSIZE | 0x20, 0xc5, 0xff, 0xff, 0x0f]) +
        bytes([OP_WSIZE | 0x70]) + off(0x10004) + bytes(8) +
        bytes([OP_R64]) + off(0x0208) + bytes([OP_W64]) + off(0x10000) +
        bytes(8) + bytes([OP_RESET, 1, OP_RESET, 3, 0, 0, 0x40]))


if __name__ == '__main__':
    pump_seeds()
    desc_seeds()
    mmio_seeds()
