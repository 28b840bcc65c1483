# SPDX-License-Identifier: GPL-2.0-or-later
"""The line protocols of a QEMU started with -qtest unix:... and -qmp
unix:...: one shared client for the QEMU suite's Python checks and for
qemu/bench-mmio.py."""
import json
import socket
import time


class Line:
    """One line-based protocol on a unix socket QEMU listens on."""

    def __init__(self, path, tries=300, wait=0.1):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        for _ in range(tries):
            try:
                self.sock.connect(path)
                break
            except OSError:
                time.sleep(wait)
        else:
            raise RuntimeError("cannot connect to " + path)
        self.buf = b""

    def send(self, text):
        self.sock.sendall(text.encode() + b"\n")

    def recv_line(self):
        while b"\n" not in self.buf:
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("QEMU closed the socket")
            self.buf += data
        out, self.buf = self.buf.split(b"\n", 1)
        return out.decode()

    def cmd(self, text):
        """A qtest command: its answer, past any asynchronous IRQ line."""
        self.send(text)
        while True:
            out = self.recv_line()
            if not out.startswith("IRQ"):
                return out

    def qmp(self, cmd, **args):
        """A QMP command: its return or error, past any event."""
        self.send(json.dumps({"execute": cmd, "arguments": args}))
        while True:
            r = json.loads(self.recv_line())
            if "return" in r or "error" in r:
                return r
