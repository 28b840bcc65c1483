#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""Write a newc cpio archive from a list of entries, without root.

Each argument is one entry:
  dir:PATH             a directory (0755)
  file:PATH=SOURCE     a regular file copied from SOURCE (0755)
  char:PATH=MAJ,MIN    a character device node (0600)
The archive goes to stdout.  /dev/console has to exist in the initramfs
before init runs, and a device node cannot be made without root.
"""
import stat
import sys


def header(ino, mode, size, nlink, rmaj, rmin, namelen):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, rmaj, rmin, namelen, 0]
    return b"070701" + b"".join(b"%08X" % f for f in fields)


def pad(n):
    return b"\0" * ((4 - n % 4) % 4)


def entry(out, ino, path, mode, data=b"", rdev=(0, 0), nlink=1):
    name = path.encode() + b"\0"
    h = header(ino, mode, len(data), nlink, rdev[0], rdev[1], len(name))
    out.write(h + name + pad(len(h) + len(name)))
    out.write(data + pad(len(data)))


def main(args):
    out = sys.stdout.buffer
    ino = 1
    for a in args:
        kind, _, rest = a.partition(":")
        path, _, src = rest.partition("=")
        path = path.lstrip("/")
        if kind == "dir":
            entry(out, ino, path, stat.S_IFDIR | 0o755, nlink=2)
        elif kind == "file":
            with open(src, "rb") as f:
                entry(out, ino, path, stat.S_IFREG | 0o755, f.read())
        elif kind == "char":
            maj, mnr = (int(x) for x in src.split(","))
            entry(out, ino, path, stat.S_IFCHR | 0o600, rdev=(maj, mnr))
        else:
            sys.exit(f"mkcpio.py: unknown entry kind in {a!r}")
        ino += 1
    entry(out, 0, "TRAILER!!!", 0)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
