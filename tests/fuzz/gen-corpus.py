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


if __name__ == '__main__':
    pump_seeds()
