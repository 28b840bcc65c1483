#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""guest-test.py CASE: one case of the guest suite (issue 13).

Boots the arm64 guest (run-guest.sh) with the QEMU and options the case
names, then checks the init script's SMMUEXT-RESULT lines, the kernel's
console lines and QEMU's exit report.  Exit 0 = the case passed, 1 = it
failed (every reason printed), 2 = bad usage.  Nothing skips: an artefact
that cannot be built (kernel, initramfs, patched QEMU) fails the case.

Environment:
  SMMU_EXT_CACHE       artefact cache (default /var/cache/smmu-ext)
  SMMU_EXT_QEMU        patched qemu-system-aarch64 (default: the last
                       line printed by qemu/build.sh of this repository)
  SMMU_EXT_QEMU72      Debian 12's QEMU (default /usr/bin/qemu-system-aarch64)
  SMMU_EXT_GUEST_DIR   work directory for images and logs (default: a
                       directory named after the case in the current one)
  SMMU_EXT_GUEST_READS direct 4 KiB reads per disk and CPU of the
                       invalidation workload (default 3000: with 4 KiB
                       host pages the library caps each ring at 256
                       entries, and one read makes about 4 commands)
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(TOP, "tests", "qemu"))
from qemu_line import Line  # noqa: E402  (the QEMU suite's QMP client)
CACHE = os.environ.get("SMMU_EXT_CACHE", "/var/cache/smmu-ext")

BS = 4096
SCRATCH_BLOCKS = 64          # as in init.sh
DISK_MIB = 32

# Kernel console lines that say the SMMU or CMDQV driver went wrong.
BAD_LINE = re.compile(
    r"(arm-smmu-v3|tegra241|cmdqv|NVDA200C|iommu).*"
    r"(fail|error|timeout|timed out|Falling back|unexpected|uncleared)"
    r"|CMD_SYNC timeout|Unable to handle kernel|Kernel panic|Oops|"
    r"BUG:|WARNING:", re.I)
KLINE = re.compile(r"^\[\s*\d+\.\d+\] (.*)$")
RESULT = re.compile(r"SMMUEXT-RESULT (\S+)(.*)$")


class CaseError(Exception):
    """An artefact or a run the case needs could not be had."""


def log(msg):
    print(msg, flush=True)


def kv(text):
    return dict(re.findall(r"(\w+)=(\S*)", text))


# ---------------------------------------------------------------- artefacts

def run_script(argv, what):
    p = subprocess.run(["bash"] + argv, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.stderr:
        sys.stdout.write(p.stderr)
    if p.returncode != 0 or not p.stdout.strip():
        raise CaseError(f"{what}: {' '.join(argv)} exited {p.returncode}")
    return p.stdout.strip().splitlines()[-1]


def kernel(variant):
    return run_script([os.path.join(HERE, "build-kernel.sh"), variant],
                      f"{variant} guest kernel")


def initramfs():
    return run_script([os.path.join(HERE, "build-initramfs.sh")],
                      "guest initramfs")


def qemu72():
    path = os.environ.get("SMMU_EXT_QEMU72", "/usr/bin/qemu-system-aarch64")
    if not os.access(path, os.X_OK):
        raise CaseError(f"Debian's QEMU: no {path} (apt-get install "
                        "qemu-system-arm)")
    return path


def qemu_patched():
    path = os.environ.get("SMMU_EXT_QEMU")
    if path:
        if not os.access(path, os.X_OK):
            raise CaseError(f"patched QEMU: SMMU_EXT_QEMU={path} is not "
                            "executable")
        return path
    build = os.path.join(TOP, "qemu", "build.sh")
    if not os.path.exists(build):
        raise CaseError("patched QEMU: qemu/build.sh is not in this tree "
                        "(the qemu branch is not merged); set SMMU_EXT_QEMU")
    path = run_script([build], "patched QEMU")
    if not os.access(path, os.X_OK):
        raise CaseError(f"patched QEMU: qemu/build.sh printed {path!r}, "
                        "not an executable")
    return path


# ---------------------------------------------------------------- disks

def marker(serial, boot):
    """The block init.sh writes at scratch block BOOT (same bytes)."""
    out = b""
    for j in range(64):
        line = f"SMMUEXT-MARK serial={serial} boot={boot} line={j}"
        out += line.ljust(63).encode() + b"\n"
    assert len(out) == BS
    return out


class Disk:
    def __init__(self, workdir, serial, bus=None, mib=DISK_MIB):
        self.serial = serial
        self.bus = bus
        self.path = os.path.join(workdir, f"{serial}.img")
        self.initial = os.urandom(mib << 20)
        with open(self.path, "wb") as f:
            f.write(self.initial)
        self.scratch = len(self.initial) // BS - SCRATCH_BLOCKS

    def image_after(self, boots):
        """The image as it must be after BOOTS boots wrote their marker."""
        img = bytearray(self.initial)
        for k in range(boots):
            off = (self.scratch + k) * BS
            img[off:off + BS] = marker(self.serial, k)
        return bytes(img)

    def arg(self):
        return f"{self.path}:{self.serial}" + (f":{self.bus}" if self.bus
                                               else "")


# ---------------------------------------------------------------- one run

class Boot:
    def __init__(self):
        self.klines = []         # kernel console lines (without timestamp)
        self.results = []        # (what, dict)
        self.init_wall = None    # host seconds from QEMU start to init

    def result(self, what):
        return [d for w, d in self.results if w == what]


class Run:
    """LINES: (host seconds, text) of the console (QEMU's stdout); ERRLINES:
    those of QEMU's stderr.  They come on two pipes so that a QEMU warning
    never splits a console line; a made-up log may pass QEMU's lines in
    LINES, where anything that is neither a kernel nor an init line counts
    as QEMU's."""

    def __init__(self, lines, rc, wall, errlines=()):
        self.lines = sorted(list(lines) + list(errlines),
                            key=lambda x: x[0])
        self.rc = rc
        self.wall = wall
        self.boots = []
        self.qemu_lines = [text for _, text in errlines]
        for t, text in lines:
            if "Booting Linux on physical CPU" in text:
                self.boots.append(Boot())
            m = RESULT.search(text)
            if m and self.boots:
                b = self.boots[-1]
                b.results.append((m.group(1), kv(m.group(2))))
                if m.group(1) == "init" and b.init_wall is None:
                    b.init_wall = t
                continue
            m = KLINE.match(text)
            if m and self.boots:
                self.boots[-1].klines.append(m.group(1))
            elif not text.startswith("SMMUEXT-"):
                self.qemu_lines.append(text)


def boot_guest(name, qemu, machine, disks, kernel_variant="4k", append="",
               boots=1, reads=0, extra=(), env=None, timeout=600, cpus=2,
               hooks=()):
    """HOOKS: (regex, fn) pairs; fn() runs once, the first time a console
    line matches, while the guest goes on (the QMP actions of sim mode)."""
    workdir = os.environ.get("SMMU_EXT_GUEST_DIR") or os.path.abspath(name)
    os.makedirs(workdir, exist_ok=True)
    kimage = kernel(kernel_variant)
    initrd = initramfs()
    argv = ["bash", os.path.join(HERE, "run-guest.sh"), "-e", "-q", qemu,
            "-k", kimage, "-i", initrd, "-M", machine, "-s", str(cpus),
            "-t", str(timeout),
            "-a", f"smmuext_boots={boots} smmuext_reads={reads} {append}"]
    if boots > 1:
        argv.append("-r")
    for d in disks:
        argv += ["-d", d.arg()]
    argv += ["--"] + list(extra)
    logpath = os.path.join(workdir, "console.log")
    log(f"booting: {' '.join(argv)}\n  log: {logpath}")
    full_env = dict(os.environ)
    full_env.update(env or {})
    t0 = time.monotonic()
    lines, errlines = [], []
    pending = list(hooks)
    lock = threading.Lock()

    def take(raw, into, mark):
        t = time.monotonic() - t0
        text = raw.decode(errors="replace").rstrip("\r\n")
        text = text.replace("\r", "")
        with lock:
            logf.write(f"{t:9.3f}{mark}{text}\n")
            into.append((t, text))
        return text

    def drain_stderr(pipe):
        for raw in pipe:
            take(raw, errlines, " ! ")

    with open(logpath, "w") as logf:
        p = subprocess.Popen(argv, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=full_env)
        errt = threading.Thread(target=drain_stderr, args=(p.stderr,))
        errt.start()
        for raw in p.stdout:
            text = take(raw, lines, " ")
            for i, (pat, fn) in enumerate(pending):
                if fn and re.search(pat, text):
                    pending[i] = (pat, None)
                    fn()
        rc = p.wait()
        errt.join()
    return Run(lines, rc, time.monotonic() - t0, errlines)


# ---------------------------------------------------------------- checks

def check_exit(run, boots):
    f = []
    if run.rc != 0:
        f.append(f"QEMU run exited {run.rc}"
                 + (" (timeout)" if run.rc == 124 else ""))
    if len(run.boots) != boots:
        f.append(f"{len(run.boots)} kernel boots in the log, wanted {boots}")
    for i, b in enumerate(run.boots):
        done = b.result("done")
        if not done:
            f.append(f"boot {i}: init never reached its end")
        elif done[0].get("boot") != str(i):
            f.append(f"boot {i}: init says it is boot {done[0].get('boot')}")
    return f


def check_workload(run, nreads):
    """The invalidation load ran: one reader per disk and CPU, none failed."""
    f = []
    for i, b in enumerate(run.boots):
        w = b.result("workload")
        if nreads <= 0:
            continue
        if not w:
            f.append(f"boot {i}: the workload did not run")
            continue
        w = w[0]
        want = int(w.get("disks", 0)) * int(w.get("cpus", 0))
        if w.get("failed") != "0" or int(w.get("jobs", -1)) != want or \
                not want:
            f.append(f"boot {i}: workload readers {w.get('jobs')} "
                     f"(wanted {want}), {w.get('failed')} failed")
    return f


def check_clean(boot, i):
    return [f"boot {i}: kernel: {line}" for line in boot.klines
            if BAD_LINE.search(line) and "Kernel command line" not in line]


def check_dma(run, disks):
    """Case 2 for every disk and boot; then the image files themselves."""
    f = []
    for i, b in enumerate(run.boots):
        seen = {d.get("serial"): d for d in b.result("disk")}
        md5s = {d.get("serial"): d for d in b.result("md5")}
        writes = {d.get("serial"): d for d in b.result("write")}
        for disk in disks:
            s = disk.serial
            where = f"boot {i}: disk {s}"
            d = seen.get(s)
            if d is None:
                f.append(f"{where}: not seen by the guest")
                continue
            if d.get("type") not in ("DMA", "DMA-FQ"):
                f.append(f"{where}: iommu group {d.get('group')} type "
                         f"{d.get('type')}, not DMA-translated")
            if d.get("boot") != str(i):
                f.append(f"{where}: guest counts {d.get('boot')} markers")
            want = hashlib.md5(disk.image_after(i)).hexdigest()
            got = md5s.get(s, {}).get("md5")
            if got != want:
                f.append(f"{where}: whole-disk md5 {got}, host's {want}")
            w = writes.get(s, {})
            mark = hashlib.md5(marker(s, i)).hexdigest()
            if w.get("want") != mark or w.get("got") != mark:
                f.append(f"{where}: written block read back as "
                         f"{w.get('got')}, wrote {w.get('want')}, "
                         f"expected {mark}")
    for disk in disks:
        with open(disk.path, "rb") as fh:
            img = fh.read()
        want = disk.image_after(len(run.boots))
        for k in range(len(run.boots)):
            off = (disk.scratch + k) * BS
            if img[off:off + BS] != marker(disk.serial, k):
                f.append(f"disk {disk.serial}: boot {k}'s block is not in "
                         f"the host image at block {disk.scratch + k}")
        if img != want:
            f.append(f"disk {disk.serial}: host image differs from the "
                     "original plus the written blocks")
    return f


def check_probe(run, cmdqvs=1):
    """Case 1 for every boot: the driver found the CMDQV, VINTF0 runs in
    guest mode (HYP_OWN reads 0) and every LVCMDQ is allocated, mapped and
    enabled, as the log and the registers read back in the guest say."""
    f = []
    for i, b in enumerate(run.boots):
        where = f"boot {i}"
        found = [x for x in b.klines if "found companion CMDQV device" in x]
        if len(found) != cmdqvs:
            f.append(f"{where}: {len(found)} 'found companion CMDQV device' "
                     f"lines, wanted {cmdqvs}")
        regs = b.result("cmdqv")
        if len(regs) != cmdqvs:
            f.append(f"{where}: {len(regs)} NVDA200C devices in /proc/iomem, "
                     f"wanted {cmdqvs}")
        for r in regs:
            f += check_cmdqv_regs(b, r, f"{where}: {r.get('dev')}")
    return f


def bit(value, n):
    try:
        return (int(value, 16) >> n) & 1
    except (TypeError, ValueError):
        return None


def check_cmdqv_regs(boot, r, where):
    f = []
    want = [("config", 0, 1, "CMDQV_EN"), ("status", 0, 1, "CMDQV_ENABLED"),
            ("vintf0_config", 0, 1, "VINTF0 EN"),
            ("vintf0_config", 17, 0, "VINTF0 HYP_OWN (guest mode)"),
            ("vintf0_status", 0, 1, "VINTF0 ENABLED")]
    param = int(r.get("param", "0"), 16)
    nq = (1 << ((param >> 4) & 0xf)) >> ((param >> 8) & 0xf)
    if nq < 1:
        f.append(f"{where}: PARAM {r.get('param')} gives no LVCMDQ")
    for q in range(min(nq, 16)):
        want += [(f"alloc{q}", 0, 1, f"CMDQ_ALLOC({q}).ALLOCATED"),
                 (f"vcmdq{q}_config", 0, 1, f"LVCMDQ{q} EN"),
                 (f"vcmdq{q}_status", 0, 1, f"LVCMDQ{q} ENABLED")]
        for verb in ("allocated", "mapped", "inited"):
            pat = re.compile(rf"VINTF0: VCMDQ\d+/LVCMDQ{q}: {verb}$")
            if not any(pat.search(x) for x in boot.klines):
                f.append(f"{where}: no 'VINTF0: .../LVCMDQ{q}: {verb}' line")
    for key, n, val, what in want:
        got = bit(r.get(key), n)
        if got != val:
            f.append(f"{where}: {what} is {got} ({key}={r.get(key)}), "
                     f"wanted {val}")
    return f


def expect_failure(what, failures, pattern):
    """A control: the checks must fail, and for the reason PATTERN."""
    for line in failures:
        log(f"  (expected) {line}")
    hits = [x for x in failures if re.search(pattern, x)]
    if hits:
        log(f"control {what}: the checks failed as they must")
        return []
    return [f"control {what}: the checks did not fail on /{pattern}/ "
            f"(failures: {failures or 'none'})"]


# ---------------------------------------------------------------- cases

def case_dma72(name):
    disks = [Disk_for(name, "smmuext-a")]
    run = boot_guest(name, qemu72(), "virt,iommu=smmuv3", disks)
    f = check_exit(run, 1) + check_dma(run, disks)
    for i, b in enumerate(run.boots):
        f += check_clean(b, i)
    report_times(run)
    return f


def control_72(name, machine, append, why):
    disks = [Disk_for(name, "smmuext-a")]
    run = boot_guest(name, qemu72(), machine, disks, append=append)
    f = check_exit(run, 1)
    if f:
        return f + ["the control run itself did not complete"]
    return expect_failure(name, check_dma(run, disks), why)


def case_nosmmu72(name):
    return control_72(name, "virt", "", r"not DMA-translated")


def case_passthrough72(name):
    return control_72(name, "virt,iommu=smmuv3", "iommu.passthrough=1",
                      r"type identity, not DMA-translated")


def report_times(run):
    for i, b in enumerate(run.boots):
        init = b.result("init")
        up = init[0].get("uptime") if init else None
        wall = f"{b.init_wall:.2f}" if b.init_wall is not None else "?"
        log(f"figure: boot {i}: kernel start to init {up} s (guest uptime), "
            f"QEMU start to init {wall} s (host)")


# ------------------------------------------------ the library's exit report

# One extension counter as QEMU prints it at exit: the library's text
# report line "counter <name>: <value>", or the adapter's own
# "smmu-ext: [<label>] <name> <value>" (docs/qemu-integration.md).
COUNTER = re.compile(r"(?:\bcounter |smmu-ext: (?:.*\s)?)"
                     r"((?:vcmdq\d+|commands|objects)\.[a-z0-9_.]+|"
                     r"command_errors|[a-z0-9_.]+\.live):? (\d+)\s*$")


def vcmdq_report(run, source=None):
    """Per-VCMDQ command counts from the counters QEMU prints at exit.
    tegra241 emits the totals first (commands.<op>, command_errors), then
    vcmdq<N>.<what> for each queue that counted anything (<what>:
    tlbi_nh_asid, tlbi_nh_va, atc_inv, cmd_sync, other, dropped, errors).
    A report starts at its first "commands." counter.  Returns
    {(report index, queue): {what: n}} and the list of each report's
    totals.  SOURCE "sim" takes only the simulated host's report (what
    its hardware executed), "module" only the module's (what it emulated);
    None takes both."""
    queues, totals = {}, []
    for text in run.qemu_lines:
        if source and (SIM_TAG in text) != (source == "sim"):
            continue
        m = COUNTER.search(text)
        if not m:
            continue
        name, value = m.group(1), int(m.group(2))
        if name == "commands.tlbi_nh_asid" or not totals:
            totals.append({})
        inst = len(totals) - 1
        q = re.match(r"vcmdq(\d+)\.(\w+)$", name)
        if q:
            queues.setdefault((inst, int(q.group(1))), {})[q.group(2)] = value
        else:
            totals[inst][name] = value
    return queues, totals


COUNTED = ("tlbi_nh_asid", "tlbi_nh_va", "atc_inv", "cmd_sync", "other",
           "dropped")


def check_vcmdq(run, min_wraps=3, source=None):
    """Case 3: every VCMDQ the guest enabled consumed TLBI_NH_VA or
    TLBI_NH_ASID and CMD_SYNC commands, no command error, and wrapped its
    ring MIN_WRAPS times (LOG2SIZE from BASE as the guest read it)."""
    f = []
    queues, totals = vcmdq_report(run, source)
    if not queues:
        return ["no per-VCMDQ command counts in QEMU's exit report"
                + (f" ({source})" if source else "")]
    log2 = {}
    for b in run.boots:
        for r in b.result("cmdqv"):
            for k, v in r.items():
                m = re.match(r"vcmdq(\d+)_base$", k)
                if m:
                    log2[int(m.group(1))] = int(v, 16) & 0x1f
    for (inst, q), c in sorted(queues.items()):
        where = f"report {inst} VCMDQ{q}"
        consumed = sum(c.get(k, 0) for k in COUNTED)
        log(f"{where}: {consumed} commands {c}")
        if c.get("tlbi_nh_va", 0) + c.get("tlbi_nh_asid", 0) == 0:
            f.append(f"{where}: no TLBI_NH_VA/TLBI_NH_ASID consumed")
        if c.get("cmd_sync", 0) == 0:
            f.append(f"{where}: no CMD_SYNC consumed")
        for bad in ("errors", "dropped", "other"):
            if c.get(bad, 0):
                f.append(f"{where}: {bad} = {c[bad]}")
        if q not in log2:
            f.append(f"{where}: the guest did not report its LOG2SIZE")
        elif consumed < min_wraps << log2[q]:
            f.append(f"{where}: {consumed} commands in a ring of "
                     f"{1 << log2[q]}: fewer than {min_wraps} wraps")
        else:
            log(f"{where}: ring of {1 << log2[q]} entries wrapped "
                f"{consumed >> log2[q]} times")
    used = {q for (_, q) in queues}
    for q in log2:
        if q not in used:
            f.append(f"VCMDQ{q}: enabled by the guest but consumed nothing")
    for t in totals:
        if t.get("command_errors", 0):
            f.append(f"command_errors = {t['command_errors']}")
    return f


def no_cmdqv(run):
    """Case 4: with cmdqv=off the guest has no CMDQV at all."""
    f = []
    for i, b in enumerate(run.boots):
        for line in b.klines:
            if re.search(r"cmdqv|NVDA200C", line, re.I) and \
                    "Kernel command line" not in line:
                f.append(f"boot {i}: kernel: {line}")
        if b.result("cmdqv"):
            f.append(f"boot {i}: NVDA200C in /proc/iomem")
    queues, _ = vcmdq_report(run)
    if queues:
        f.append(f"VCMDQ counts reported with cmdqv=off: {queues}")
    return f


# ------------------------------------------------ tegra241 cases

def smmu(bus, cmdqv, ident, host=None):
    return ["-device", f"arm-smmuv3,primary-bus={bus},id={ident},"
            f"cmdqv={cmdqv}" + (f",host={host}" if host else "")]


def reads():
    return int(os.environ.get("SMMU_EXT_GUEST_READS", "3000"))


def tegra241_run(name, cmdqv="tegra241", kernel_variant="4k", boots=1,
                 nreads=None, env=None, timeout=1200, extra=()):
    disks = [Disk_for(name, "smmuext-a")]
    nreads = reads() if nreads is None else nreads
    run = boot_guest(name, qemu_patched(), "virt", disks,
                     kernel_variant=kernel_variant, boots=boots,
                     reads=nreads,
                     extra=smmu("pcie.0", cmdqv, "smmu0") + list(extra),
                     env=env, timeout=timeout)
    f = check_exit(run, boots) + check_dma(run, disks)
    f += check_workload(run, nreads)
    for i, b in enumerate(run.boots):
        f += check_clean(b, i)
    report_times(run)
    report_rate(run)
    return run, f


def report_rate(run):
    queues, _ = vcmdq_report(run)
    total = sum(c.get(k, 0) for c in queues.values() for k in COUNTED)
    secs = 0.0
    for b in run.boots:
        for w in b.result("workload"):
            secs += float(w.get("t1", 0)) - float(w.get("t0", 0))
    if secs > 0:
        log(f"figure: workload {secs:.2f} s guest time, {total} VCMDQ "
            f"commands, {total / secs:.0f} commands/s")


def case_probe(name):
    run, f = tegra241_run(name, nreads=0)
    return f + check_probe(run)


def check_trace(run, trace, min_wraps=3):
    """Case 3 seen from QEMU's side, independent of the library's own
    counters: what each queue was given (its PROD writes in the MMIO
    trace).  Every LVCMDQ the guest enabled got MIN_WRAPS rings' worth,
    and the main CMDQ got under 5% of all commands."""
    f = []
    if not run.boots:
        return ["no boot to read the ring sizes from"]
    log2 = ring_log2(run.boots[0])
    _, _, queues = trace_counts(trace, log2)
    total = sum(queues.values())
    log(f"trace: commands per queue from PROD writes: {queues}")
    vq = [q for q in log2 if q != "main"]
    if not vq:
        f.append("the driver allocated no VCMDQ ring")
    for q in vq:
        if queues.get(q, 0) < min_wraps << log2[q]:
            f.append(f"trace: {q} was given {queues.get(q, 0)} commands, "
                     f"fewer than {min_wraps} rings of {1 << log2[q]}")
    if not total or queues.get("main", 0) * 20 >= total:
        f.append(f"trace: the main CMDQ got {queues.get('main', 0)} of "
                 f"{total} commands")
    return f


def traced(name):
    """QEMU arguments for the trace check_trace() reads, and its path."""
    workdir = os.environ.get("SMMU_EXT_GUEST_DIR") or os.path.abspath(name)
    os.makedirs(workdir, exist_ok=True)
    trace = os.path.join(workdir, "trace.log")
    return ["-d", TRACE, "-D", trace], trace


def case_vcmdq(name):
    extra, trace = traced(name)
    run, f = tegra241_run(name, extra=extra)
    return (f + check_probe(run) + check_vcmdq(run) +
            check_trace(run, trace))


def case_cmdqv_off(name):
    run, f = tegra241_run(name, cmdqv="off")
    return f + no_cmdqv(run)


def case_break(mode, why):
    def case(name):
        # A broken model may hang the guest (a dropped CMD_SYNC never
        # completes): a healthy run takes ~10 s, so 45 s is plenty.
        run, f = tegra241_run(name, env={"SMMU_EXT_TEGRA241_BREAK": mode},
                              timeout=45)
        active = [x for x in run.qemu_lines
                  if f"SMMU_EXT_TEGRA241_BREAK={mode} is active" in x]
        if not active:
            return [f"the library never said SMMU_EXT_TEGRA241_BREAK={mode} "
                    "is active: this build has no such switch"]
        f += check_probe(run) + check_vcmdq(run)
        return expect_failure(name, f, why)
    return case


def case_reset(name):
    extra, trace = traced(name)
    run, f = tegra241_run(name, boots=4, extra=extra)
    return (f + check_probe(run) + check_vcmdq(run) +
            check_trace(run, trace) + check_zero_objects(run))


def check_zero_objects(run):
    """At exit nothing the library made is left.  QEMU must have printed
    its exit report (the instance report or the counters); no report may
    name a vIOMMU (emulated mode makes no kernel object, so one would be a
    leak), and every counter of live objects ("objects.*", "*.live") must
    be 0.  The library keeps no such counter yet: then only the first two
    hold."""
    f = []
    if not any("cmdqv mode:" in x or COUNTER.search(x)
               for x in run.qemu_lines):
        f.append("no instance report or counters in QEMU's output at exit")
    for x in run.qemu_lines:
        if re.search(r"vIOMMU: id \d+", x):
            f.append(f"a vIOMMU at exit in emulated mode: {x}")
        m = COUNTER.search(x)
        if m and (m.group(1).startswith("objects.") or
                  m.group(1).endswith(".live")) and m.group(2) != "0":
            f.append(f"live at exit: {m.group(1)} = {m.group(2)}")
    return f


def case_64k(name):
    extra, trace = traced(name)
    run, f = tegra241_run(name, kernel_variant="64k", extra=extra)
    return (f + check_probe(run) + check_vcmdq(run) +
            check_trace(run, trace))


def case_two_smmu(name):
    disks = [Disk_for(name, "smmuext-a", "rp1"),
             Disk_for(name, "smmuext-b", "rp2")]
    extra = ["-device", "pxb-pcie,id=pxb1,bus_nr=16,bus=pcie.0"]
    extra += smmu("pxb1", "tegra241", "smmu1")
    extra += ["-device", "pcie-root-port,id=rp1,bus=pxb1,chassis=1"]
    extra += ["-device", "pxb-pcie,id=pxb2,bus_nr=32,bus=pcie.0"]
    extra += smmu("pxb2", "off", "smmu2")
    extra += ["-device", "pcie-root-port,id=rp2,bus=pxb2,chassis=2"]
    run = boot_guest(name, qemu_patched(), "virt", disks, extra=extra,
                     reads=reads() // 2)
    f = check_exit(run, 1) + check_dma(run, disks)
    f += check_workload(run, reads() // 2)
    for i, b in enumerate(run.boots):
        f += check_clean(b, i)
    groups = {d.get("group") for b in run.boots for d in b.result("disk")}
    if len(groups) != 2:
        f.append(f"the two disks share iommu groups {groups}")
    return f + check_probe(run, cmdqvs=1) + check_vcmdq(run, min_wraps=1)


def Disk_for(name, serial, bus=None):
    workdir = os.environ.get("SMMU_EXT_GUEST_DIR") or os.path.abspath(name)
    os.makedirs(workdir, exist_ok=True)
    return Disk(workdir, serial, bus)


TRACE = ("trace:smmuv3_cmdq_opcode,trace:memory_region_ops_read,"
         "trace:memory_region_ops_write")
INVALIDATIONS = ("TLBI_NH_VA", "TLBI_NH_ASID", "ATC_INV", "SYNC")
SMMU_CMDQ_PROD = 0x98


def ring_log2(boot):
    """{queue: log2 entries} from the driver's "allocated N entries for
    cmdq|vcmdqN" lines."""
    out = {}
    for x in boot.klines:
        m = re.search(r"allocated (\d+) entries for (cmdq|vcmdq\d+)$", x)
        if m:
            q = "main" if m.group(2) == "cmdq" else m.group(2)
            out[q] = int(m.group(1)).bit_length() - 1
    return out


# One MMIO access and one executed SMMUv3 command in a QEMU -d trace log.
MR_TRACE = re.compile(r"memory_region_ops_(read|write) .*addr (0x[0-9a-f]+) "
                      r"value (0x[0-9a-f]+) size \d+ name '([^']*)'")
OP_TRACE = re.compile(r"smmuv3_cmdq_opcode <--- SMMU_CMD_(\w+)")


def trace_counts(path, log2):
    """From a QEMU -d trace log: commands by opcode (every queue: the
    patched QEMU executes VCMDQ commands through the same traced function),
    MMIO accesses by region name, and the commands each queue was given,
    from the deltas of its PROD writes (main CMDQ_PROD at 0x98 of
    arm-smmuv3; LVCMDQ q's PROD at 0x30004 + 0x80 q of tegra241; LOG2
    maps each queue to log2 of its entries, the wrap bit above)."""
    ops, mmio, acc = {}, {}, []
    op, mr = OP_TRACE, MR_TRACE
    with open(path, errors="replace") as fh:
        for line in fh:
            m = op.search(line)
            if m:
                ops[m.group(1)] = ops.get(m.group(1), 0) + 1
                continue
            m = mr.search(line)
            if m:
                name = m.group(4)
                mmio[name] = mmio.get(name, 0) + 1
                if name in ("arm-smmuv3", "tegra241") and \
                        m.group(1) == "write":
                    acc.append((name, int(m.group(2), 16),
                                int(m.group(3), 16)))
    base = {}
    with open(path, errors="replace") as fh:
        for line in fh:
            m = mr.search(line)
            if m and m.group(4) in ("arm-smmuv3", "tegra241"):
                a = int(m.group(2), 16)
                base[m.group(4)] = min(base.get(m.group(4), a), a)
    queues, last = {}, {}
    for name, addr, value in acc:
        off = addr - base[name]
        if name == "arm-smmuv3" and off == SMMU_CMDQ_PROD:
            q = "main"
        elif name == "tegra241" and off >= 0x30000 and off < 0x40000 and \
                off % 0x80 == 4:
            q = f"vcmdq{(off - 0x30000) // 0x80}"
        else:
            continue
        if q not in log2:
            continue
        mask = (1 << (log2[q] + 1)) - 1
        prev = last.get(q, 0)
        # A reset or re-init writes PROD = 0: not a command.
        if value != 0:
            queues[q] = queues.get(q, 0) + ((value - prev) & mask)
        last[q] = value & mask
    return ops, mmio, queues


def case_figures(name):
    """Benchmark, not a check of speed: the same workload with Debian's
    QEMU 7.2, the patched QEMU with cmdqv=off, with cmdqv=tegra241
    (emulated) and on the simulated host (accelerated), each traced
    (opcodes, every trapped MMIO access by region)."""
    nreads = int(os.environ.get("SMMU_EXT_GUEST_READS", "10000"))
    f, rows = [], []
    configs = [("qemu72-smmuv3", qemu72, "virt,iommu=smmuv3", []),
               ("cmdqv-off", qemu_patched, "virt",
                smmu("pcie.0", "off", "smmu0")),
               ("cmdqv-tegra241", qemu_patched, "virt",
                smmu("pcie.0", "tegra241", "smmu0")),
               ("sim-host", qemu_patched, "virt",
                ["-object", f"smmu-ext-sim,id={SIM_ID},profile=tegra241"] +
                smmu("pcie.0", "on", "smmu0", SIM_ID))]
    for label, qemu, machine, extra in configs:
        sub = os.path.join(name, label)
        disks = [Disk_for(sub, "smmuext-a")]
        trace = os.path.abspath(os.path.join(sub, "trace.log"))
        run = boot_guest(sub, qemu(), machine, disks, reads=nreads,
                         extra=extra + ["-d", SIM_TRACE, "-D", trace])
        f += [f"{label}: {x}" for x in check_exit(run, 1) +
              check_dma(run, disks) + check_workload(run, nreads)]
        if not run.boots:
            continue
        ops, mmio, queues = trace_counts(trace, ring_log2(run.boots[0]))
        inval = sum(ops.get(k, 0) for k in INVALIDATIONS)
        trapped = mmio.get("arm-smmuv3", 0) + mmio.get("tegra241", 0)
        w = run.boots[0].result("workload")
        secs = float(w[0]["t1"]) - float(w[0]["t0"]) if w else 0.0
        init = run.boots[0].result("init")
        if label == "sim-host":
            f += [f"{label}: {x}" for x in check_doorbells(run, trace)]
        rows.append((label, init[0].get("uptime") if init else "?",
                     run.boots[0].init_wall, secs, inval, trapped, mmio,
                     queues))
    log(f"figures (same workload: {nreads} direct 4 KiB reads per CPU, "
        "2 CPUs, TCG, traced):")
    for label, up, wall, secs, inval, trapped, mmio, queues in rows:
        rate = inval / secs if secs else 0
        per = 1000.0 * trapped / inval if inval else 0
        wall = "?" if wall is None else f"{wall:.2f}"
        log(f"figure: {label}: boot-to-init {up} s (kernel), {wall} s "
            f"(QEMU start); {inval} invalidation commands (TLBI_NH_*, "
            f"ATC_INV, CMD_SYNC) in {secs:.2f} s of workload = {rate:.0f}/s;"
            f" trapped SMMU+CMDQV MMIO {trapped} = {per:.0f} per 1000 "
            f"(arm-smmuv3 {mmio.get('arm-smmuv3', 0)}, tegra241 "
            f"{mmio.get('tegra241', 0)}); commands per queue from PROD "
            f"writes {queues}")
    return f


# ------------------------------------------------ simulated host (issue 15)
#
# The same guest with `-object smmu-ext-sim,id=h0` and `host=h0` on the
# SMMU (docs/qemu-sim-host.md): tegra241 runs accelerated on the simulated
# kernel and CMDQV hardware.  The commands' counts come from the simulated
# hardware's exit report; the module's own (emulated) counts must stay 0.

SIM_ID = "h0"
SIM_TAG = f"smmu-ext-sim {SIM_ID}:"
SIM_EXIT_ZERO = ("at exit: viommu=0 hw_queue=0 veventq=0 vdevice=0 mmap=0 "
                 "fds=0 devices=0")
SIM_TRACE = TRACE + ",trace:smmuv3_ext_direct"
VINTF0_PAGE0 = 0x30000      # logical VCMDQ page0 of VINTF0 (the host page)
VCMDQ_PAGE0 = 0x10000       # global VCMDQ page0 aperture
PAGE_SIZE = 0x10000


class SimRun:
    """What a sim-mode run learnt over QMP while the guest ran."""

    def __init__(self, workdir):
        self.sock = os.path.join(workdir, "qmp.sock")
        if os.path.exists(self.sock):
            os.unlink(self.sock)
        self.answers = {}    # label -> QMP answer
        self.errors = []
        self.conn = None

    def args(self):
        return ["-qmp", f"unix:{self.sock},server=on,wait=off"]

    def qmp(self, label, cmd, **args):
        try:
            if self.conn is None:
                self.conn = Line(self.sock, tries=50)
                self.conn.recv_line()
                self.conn.qmp("qmp_capabilities")
            self.answers[label] = self.conn.qmp(cmd, **args)
            log(f"qmp {label}: {self.answers[label]}")
        except (OSError, RuntimeError, ValueError) as e:
            self.errors.append(f"QMP {label}: {e}")

    def wait_event(self, label, event, device, timeout=30.0):
        """Read QMP until EVENT for DEVICE arrives (or TIMEOUT), then
        record it under LABEL.  Events read past while waiting for a
        command's answer are lost, so call this before any other command
        after the one that causes the event."""
        try:
            self.conn.sock.settimeout(timeout)
            while True:
                r = json.loads(self.conn.recv_line())
                if r.get("event") == event and \
                        r.get("data", {}).get("device") == device:
                    self.answers[label] = r
                    log(f"qmp {label}: {r}")
                    return
        except (AttributeError, OSError, RuntimeError, ValueError) as e:
            self.errors.append(f"QMP {label}: no {event} for {device}: {e}")
        finally:
            if self.conn:
                self.conn.sock.settimeout(None)

    def report(self, label):
        return lambda: self.qmp(label, "qom-get", path=f"/objects/{SIM_ID}",
                                property="report")

    def inject(self, value):
        return lambda: self.qmp("inject", "qom-set",
                                path=f"/objects/{SIM_ID}",
                                property="inject-event", value=value)


def sim_run(name, opts="", append="", nreads=None, boots=1, hooks=None,
            trace=False, timeout=1200, disks=None, extra=()):
    """tegra241_run on the simulated host.  HOOKS(sim) gives boot_guest's
    hooks.  Returns (run, sim, disks, trace path or None, failures of the
    shared checks)."""
    workdir = os.environ.get("SMMU_EXT_GUEST_DIR") or os.path.abspath(name)
    os.makedirs(workdir, exist_ok=True)
    sim = SimRun(workdir)
    obj = f"smmu-ext-sim,id={SIM_ID},profile=tegra241" + \
        (f",{opts}" if opts else "")
    extra = ["-object", obj] + smmu("pcie.0", "on", "smmu0", SIM_ID) + \
        list(extra) + sim.args()
    path = None
    if trace:
        path = os.path.join(workdir, "trace.log")
        extra += ["-d", SIM_TRACE, "-D", path]
    # The objects the accelerated path made, asked for while they live.
    hooks = [(r"SMMUEXT-RESULT init ", sim.report("live"))] + \
        (hooks(sim) if hooks else [])
    disks = disks or [Disk_for(name, "smmuext-a")]
    nreads = reads() if nreads is None else nreads
    run = boot_guest(name, qemu_patched(), "virt", disks, boots=boots,
                     reads=nreads, append=append, extra=extra,
                     timeout=timeout, hooks=hooks)
    f = check_exit(run, boots) + check_workload(run, nreads) + sim.errors
    report_times(run)
    return run, sim, disks, path, f


def sim_counters(run):
    """{name: value} of the simulated host's "counter" lines."""
    out = {}
    for x in run.qemu_lines:
        if SIM_TAG in x:
            m = COUNTER.search(x)
            if m:
                out[m.group(1)] = int(m.group(2))
    return out


def check_sim_live(sim, nq=2, vdevices=1, label="live"):
    """While the guest ran, the accelerated path held what it must: one
    vIOMMU, a HW queue per LVCMDQ, the extension's and the ARM_SMMUV3
    vEVENTQs, a vDEVICE per disk and the mapped host page."""
    a = sim.answers.get(label)
    if not a or "return" not in a:
        return [f"no {label} report from QMP ({a})"]
    got = kv(a["return"])
    want = {"viommu": "1", "hw_queue": str(nq), "veventq": "2",
            "vdevice": str(vdevices), "mmap": "1"}
    return [f"{label} report: {k}={got.get(k)}, wanted {v} "
            f"({a['return']})" for k, v in want.items() if got.get(k) != v]


def check_sim_exit(run):
    """Case 5 of issue 15: at exit every simulated object and fd count is
    0, as the report's "at exit" line and its objects.* counters say."""
    f = []
    if not any(SIM_TAG in x and x.endswith(SIM_EXIT_ZERO)
               for x in run.qemu_lines):
        f.append(f"no '{SIM_TAG} {SIM_EXIT_ZERO}' line at exit")
    for x in run.qemu_lines:
        if SIM_TAG in x and "leaked at exit" in x:
            f.append(f"QEMU: {x}")
    objs = {k: v for k, v in sim_counters(run).items()
            if k.startswith("objects.")}
    if len(objs) < 6:
        f.append(f"the exit report has {len(objs)} objects.* counters")
    f += [f"live at exit: {k} = {v}" for k, v in objs.items() if v]
    return f


def check_not_emulated(run):
    """The commands went to the simulated hardware, not through the
    module's trap-and-emulate path: the module counted none."""
    queues, totals = vcmdq_report(run, "module")
    f = [f"the module emulated VCMDQ{q}: {c}" for (_, q), c in queues.items()
         if any(c.get(k, 0) for k in COUNTED)]
    for t in totals:
        f += [f"the module emulated {k} = {v}" for k, v in t.items()
              if k.startswith("commands.") and v]
    if not totals:
        f.append("no module counters in QEMU's exit report")
    return f


def doorbell_counts(path, base):
    """From a sim-mode trace: the trapped accesses to the CMDQV (name
    'tegra241', address BASE up) at VCMDQ page0 offsets (both apertures)
    while the host page was mapped, and all of them; the commands by
    opcode QEMU's SMMUv3 code executed; and every trapped SMMU and CMDQV
    access."""
    direct = re.compile(r"smmuv3_ext_direct .*direct page (0x[0-9a-f]+) "
                        r"len (0x[0-9a-f]+) enabled (\d)")
    mr, op = MR_TRACE, OP_TRACE
    mapped = False
    c = {"live": 0, "page0": 0, "trapped": 0, "mapped_once": 0,
         "doorbells": 0}
    ops = {}
    with open(path, errors="replace") as fh:
        for line in fh:
            m = direct.search(line)
            if m:
                if int(m.group(1), 16) == VINTF0_PAGE0:
                    mapped = m.group(3) == "1"
                    c["mapped_once"] += mapped
                continue
            m = op.search(line)
            if m:
                ops[m.group(1)] = ops.get(m.group(1), 0) + 1
                continue
            m = mr.search(line)
            if not m or m.group(4) not in ("arm-smmuv3", "tegra241"):
                continue
            c["trapped"] += 1
            if m.group(4) != "tegra241":
                continue
            off = int(m.group(2), 16) - base
            if VCMDQ_PAGE0 <= off < VCMDQ_PAGE0 + PAGE_SIZE or \
                    VINTF0_PAGE0 <= off < VINTF0_PAGE0 + PAGE_SIZE:
                c["page0"] += 1
                c["live"] += mapped
                # A PROD write that gives the queue commands (a reset
                # writes 0).
                if off % 0x80 == 4 and m.group(1) == "write" and \
                        int(m.group(3), 16):
                    c["doorbells"] += 1
    return c, ops


def check_doorbells(run, path):
    """Case 2 of issue 15: with the host page mapped, no VCMDQ page0
    access (PROD, CONS, CONFIG, STATUS, GERROR) traps, while the guest
    gives its queues thousands of commands; and every command the
    simulated hardware executed went through QEMU's SMMUv3 code."""
    regs = [r for b in run.boots for r in b.result("cmdqv")]
    if not regs:
        return ["no CMDQV base from the guest"]
    c, ops = doorbell_counts(path, int(regs[0]["base"], 16))
    sim = sim_counters(run)
    inval = sum(ops.get(k, 0) for k in INVALIDATIONS)
    per = 1000.0 * c["trapped"] / inval if inval else 0
    log(f"figure: sim-host: {inval} invalidation commands (TLBI_NH_*, "
        f"ATC_INV, CMD_SYNC); trapped SMMU+CMDQV MMIO {c['trapped']} = "
        f"{per:.0f} per 1000; VCMDQ page0 accesses trapped {c['page0']}, "
        f"{c['live']} of them with the host page mapped; doorbells trapped "
        f"{c['doorbells']}")
    f = []
    if not c["mapped_once"]:
        f.append("the host page was never mapped into the guest")
    if c["live"]:
        f.append(f"{c['live']} VCMDQ page0 accesses trapped while the host "
                 "page was mapped")
    if c["doorbells"]:
        f.append(f"{c['doorbells']} VCMDQ doorbells (PROD writes with "
                 "commands) trapped")
    for op_name, key in (("TLBI_NH_VA", "commands.tlbi_nh_va"),
                         ("SYNC", "commands.cmd_sync")):
        if not sim.get(key):
            f.append(f"the simulated hardware executed no {key}")
        elif ops.get(op_name, 0) < sim[key]:
            f.append(f"QEMU's SMMUv3 code ran {ops.get(op_name, 0)} "
                     f"{op_name}, fewer than the {sim[key]} the simulated "
                     "hardware executed")
    return f


def sim_checks(run, sim, disks, vdevices=1):
    """What every healthy sim-mode run with a workload must show."""
    f = check_dma(run, disks) + check_probe(run)
    f += check_vcmdq(run, source="sim") + check_not_emulated(run)
    f += check_sim_live(sim, vdevices=vdevices) + check_sim_exit(run)
    for i, b in enumerate(run.boots):
        f += check_clean(b, i)
    return f


def case_sim_probe(name):
    run, sim, disks, _, f = sim_run(name, nreads=0)
    f += check_dma(run, disks) + check_probe(run) + check_sim_live(sim)
    f += check_sim_exit(run)
    for i, b in enumerate(run.boots):
        f += check_clean(b, i)
    return f


def case_sim_vcmdq(name):
    run, sim, disks, trace, f = sim_run(name, trace=True)
    return f + sim_checks(run, sim, disks) + check_doorbells(run, trace)


def case_sim_break_trap(name):
    """The doorbell check's control: SMMU_EXT_TEGRA241_BREAK=trap keeps the
    host page unmapped, so the guest still works (its queues run on the
    simulated hardware through trapped accesses) but check_doorbells must
    fail."""
    os.environ["SMMU_EXT_TEGRA241_BREAK"] = "trap"
    try:
        run, sim, disks, trace, f = sim_run(name, trace=True, nreads=300)
    finally:
        del os.environ["SMMU_EXT_TEGRA241_BREAK"]
    if not any("SMMU_EXT_TEGRA241_BREAK=trap is active" in x
               for x in run.qemu_lines):
        return ["the library never said SMMU_EXT_TEGRA241_BREAK=trap is "
                "active: this build has no such switch"]
    f += check_dma(run, disks) + check_sim_exit(run)
    if f:
        return f + ["the control run itself did not work"]
    return expect_failure(name, check_doorbells(run, trace),
                          r"doorbells \(PROD writes with commands\) trapped")


def case_sim_reset(name):
    run, sim, disks, _, f = sim_run(name, boots=4)
    return f + sim_checks(run, sim, disks)


def expected_lines(run, patterns):
    """Each pattern matched by some kernel line; those lines are taken out
    of every boot's lines so that check_clean does not count them."""
    f = []
    for pat in patterns:
        if not any(re.search(pat, x) for b in run.boots for x in b.klines):
            f.append(f"no kernel line /{pat}/")
    for b in run.boots:
        b.klines = [x for x in b.klines
                    if not any(re.search(p, x) for p in patterns)]
    return f


def waited(run, word):
    f = []
    for i, b in enumerate(run.boots):
        w = b.result("wait")
        if not w or w[0].get("found") != "1":
            f.append(f"boot {i}: the guest never logged {word} "
                     f"({w[0] if w else 'no wait line'})")
    return f


def case_sim_hw_error(name):
    """Case 3a: the 100th command on LVCMDQ1 fails as ILL in the simulated
    hardware.  The error goes out through the extension vEVENTQ, the module
    raises it to the guest, whose driver logs it, skips the command and
    resumes the queue; DMA (checked after the error) and the workload
    hold."""
    run, sim, disks, _, f = sim_run(name, opts="fail-cmd=1:100:ill",
                                    append="smmuext_wait=Illegal")
    f += waited(run, "Illegal")
    f += expected_lines(run, [
        r"tegra241_cmdqv: unexpected error reported\. vintf_map: "
        r"0000000000000001, vcmdq_map 00000000:00000000:00000000:00000002",
        r"arm-smmu-v3 .*: CMDQ error \(cons 0x01[0-9a-f]{6}\): "
        r"Illegal command",
        r"arm-smmu-v3 .*: skipping command in error state:"])
    f += sim_checks(run, sim, disks)
    # The queue ran on past its failed command; the module saw one error.
    queues, totals = vcmdq_report(run, "sim")
    n1 = sum(queues.get((0, 1), {}).get(k, 0) for k in COUNTED)
    if n1 <= 100:
        f.append(f"LVCMDQ1 executed {n1} commands: it did not resume after "
                 "its 100th")
    errs = [t.get("command_errors") for t in vcmdq_report(run, "module")[1]]
    if errs != [1]:
        f.append(f"the module counted command errors {errs}, wanted [1]")
    return f


def rid(pci):
    """Requester ID of a PCI name 0000:BB:DD.F."""
    m = re.match(r"[0-9a-f]{4}:([0-9a-f]{2}):([0-9a-f]{2})\.([0-7])$", pci)
    return int(m.group(1), 16) << 8 | int(m.group(2), 16) << 3 | \
        int(m.group(3)) if m else None


def case_sim_bad_ste(name):
    """Case 3b: once the guest is up, C_BAD_STE for the disk is posted at
    the simulated host; it reaches the guest's event queue through the
    ARM_SMMUV3 vEVENTQ with the disk's vSID, the guest logs it for the
    disk, and DMA afterwards holds."""
    run, sim, disks, _, f = sim_run(
        name, append="smmuext_wait=C_BAD_STE",
        hooks=lambda sim: [(r"SMMUEXT-RESULT ready ",
                            sim.inject("bad-ste:blk0"))])
    a = sim.answers.get("inject")
    if not a or "return" not in a:
        f.append(f"qom-set inject-event did not succeed: {a}")
    f += waited(run, "C_BAD_STE")
    pci = [d.get("pci") for b in run.boots for d in b.result("disk")]
    sid = rid(pci[0]) if pci else None
    if sid is None:
        f.append(f"no PCI name for the disk ({pci})")
    else:
        f += expected_lines(run, [
            rf"arm-smmu-v3 .*: event: C_BAD_STE client: {pci[0]} "
            rf"sid: {sid:#x} ssid: 0x0$",
            r"arm-smmu-v3 .*: event 0x04 received:$"])
    return f + sim_checks(run, sim, disks)


def case_sim_unplug(name):
    """A vDEVICE is freed when its device goes away.  A second disk sits
    behind a hot-plug root port; when the guest says "ready" it is
    device_del'ed, the guest's pciehp powers the slot off, QEMU unrealizes
    it and the object detaches it.  The host's report must then hold one
    vDEVICE fewer and the vIOMMU, and the remaining disk's DMA holds."""
    disks = [Disk_for(name, "smmuext-a"), Disk_for(name, "smmuext-b", "rp1")]
    hooks = lambda sim: [
        (r"SMMUEXT-RESULT ready ", lambda: sim.qmp(
            "unplug", "device_del", id="blk1")),
        (r"SMMUEXT-RESULT wait unplug=", lambda: (
            sim.wait_event("deleted", "DEVICE_DELETED", "blk1"),
            sim.report("after")()))]
    run, sim, _, _, f = sim_run(
        name, disks=disks, append="smmuext_unplug=smmuext-b", hooks=hooks,
        extra=["-device", "pcie-root-port,id=rp1,bus=pcie.0,chassis=1"])
    a = sim.answers.get("unplug")
    if not a or "return" not in a:
        f.append(f"device_del blk1 did not succeed: {a}")
    f += waited(run, "the loss of disk smmuext-b")
    f += check_sim_live(sim, vdevices=1, label="after")
    after = kv(sim.answers.get("after", {}).get("return", ""))
    if after.get("devices") != "2":
        f.append(f"after the unplug the host has {after.get('devices')} "
                 "devices bound, wanted 2 (the probe device and disk a)")
    seen = [d.get("serial") for b in run.boots for d in b.result("disk")]
    if "smmuext-b" in seen:
        f.append("the guest still saw disk smmuext-b after its unplug")
    with open(disks[1].path, "rb") as fh:
        if fh.read() != disks[1].initial:
            f.append("disk smmuext-b's image changed")
    return f + sim_checks(run, sim, disks[:1], vdevices=2)


def case_sim_init_err(name):
    """Case 4: the simulated kernel fails the first HW_QUEUE_ALLOC with
    ENOMEM.  The module shows CMDQ_INIT_ERR; Linux's driver cannot enable
    LVCMDQ0, so the SMMU's probe fails with -ETIMEDOUT, and the disk runs
    with no IOMMU, its DMA untranslated and right (docs/qemu-sim-host.md).
    QEMU says so once, and nothing is left at exit."""
    run, sim, disks, _, f = sim_run(name, opts="fail-op=hw_queue_alloc:1:12",
                                    nreads=0)
    f += expected_lines(run, [
        r"tegra241_cmdqv: VINTF0: VCMDQ0/LVCMDQ0: failed to enable, "
        r"STATUS=0x00000000$",
        r"tegra241_cmdqv: VINTF0: VCMDQ0/LVCMDQ0: GERRORN=0x0, "
        r"GERROR=0x4, CONS=0x0$",
        r"arm-smmu-v3 arm-smmu-v3\.0\.auto: probe with driver arm-smmu-v3 "
        r"failed with error -110$",
        r"VCMDQ0/LVCMDQ0: uncleared error detected, resetting$",
        r"arm-smmu-v3 .*: failed to reset impl$"])
    for i, b in enumerate(run.boots):
        f += check_clean(b, i)
        for d in b.result("disk"):
            if d.get("group") != "none":
                f.append(f"boot {i}: disk {d.get('serial')} is in iommu "
                         f"group {d.get('group')} ({d.get('type')}), wanted "
                         "none: the SMMU probe should have failed")
    dma = [x for x in check_dma(run, disks) if "not DMA-translated" not in x]
    f += dma
    warned = [x for x in run.qemu_lines
              if "guest sees CMDQ_INIT_ERR" in x and "Cannot allocate" in x]
    if len(warned) != 1:
        f.append(f"QEMU warned {len(warned)} times of CMDQ_INIT_ERR, wanted "
                 "once")
    return f + check_sim_exit(run)


def selftest_sim(tmp, good):
    """The sim-mode checks on made-up logs and traces: each passes on a
    good one and fails on each kind of bad one."""
    f = []
    tag = f"qemu-system-aarch64: info: {SIM_TAG}"
    # The good log without its emulated-mode counters.
    sim_good = [x for x in good if not COUNTER.search(x)] + [
        f"{tag} counter commands.tlbi_nh_asid: 0",
        f"{tag} counter commands.tlbi_nh_va: 3",
        f"{tag} counter commands.cmd_sync: 3",
        f"{tag} counter vcmdq0.tlbi_nh_va: 3",
    ] + [f"{tag} counter objects.{k}: 0" for k in
         ("viommu", "hw_queue", "veventq", "vdevice", "mmap", "fds")] + [
        f"{tag} {SIM_EXIT_ZERO}",
        "qemu-system-aarch64: info: smmu-ext: [arm-smmuv3 smmu0] "
        "commands.tlbi_nh_va 0"]

    def sim_checks_of(lines):
        run = Run([(0.0, x) for x in lines], 0, 1.0)
        return check_sim_exit(run) + check_not_emulated(run)

    got = sim_checks_of(sim_good)
    if got:
        f.append(f"a good sim-mode log fails: {got}")
    zero = f"{tag} counter objects.hw_queue: 0"
    for what, lines, why in [
            ("leak", sim_good + [f"{tag} leaked at exit: hw_queue=1"],
             "leaked at exit"),
            ("live object", [x.replace(zero, zero[:-1] + "1")
                             for x in sim_good], "objects.hw_queue = 1"),
            ("no exit line", [x for x in sim_good if "at exit" not in x],
             "at exit"),
            ("emulated", sim_good + ["qemu-system-aarch64: info: smmu-ext: "
                                     "[arm-smmuv3 smmu0] vcmdq0.cmd_sync 5"],
             "the module emulated VCMDQ0")]:
        got = sim_checks_of(lines)
        if not any(why in x for x in got):
            f.append(f"a sim log with '{what}' does not fail on '{why}': "
                     f"{got}")

    # check_doorbells: the host page mapped at 0x30000; a PROD write while
    # it is mapped must fail, one before it is mapped is setup.
    def trace_of(prod_while_mapped):
        path = os.path.join(tmp, "sim-trace.log")
        w = "memory_region_ops_{} cpu 0 mr 0x1 addr {:#x} value {:#x} " \
            "size 4 name 'tegra241'\n"
        d = "smmuv3_ext_direct arm-smmuv3 smmu0: direct page 0x30000 len " \
            "0x10000 enabled {}\n"
        with open(path, "w") as fh:
            fh.write(w.format("write", 0xc0b0004, 0))
            fh.write(d.format(1))
            if prod_while_mapped:
                fh.write(w.format("write", 0xc0b0004, 5))
            for _ in range(3):
                fh.write("smmuv3_cmdq_opcode <--- SMMU_CMD_TLBI_NH_VA\n")
                fh.write("smmuv3_cmdq_opcode <--- SMMU_CMD_SYNC\n")
            fh.write(d.format(0))
        return path

    run = Run([(0.0, x) for x in sim_good], 0, 1.0)
    got = check_doorbells(run, trace_of(False))
    if got:
        f.append(f"a good sim-mode trace fails: {got}")
    got = check_doorbells(run, trace_of(True))
    for why in ("trapped while the host page was mapped",
                "doorbells (PROD writes with commands) trapped"):
        if not any(why in x for x in got):
            f.append(f"a trapped doorbell does not fail on '{why}': {got}")
    run = Run([(0.0, x.replace("tlbi_nh_va: 3", "tlbi_nh_va: 4"))
               for x in sim_good], 0, 1.0)
    got = check_doorbells(run, trace_of(False))
    if not any("fewer than the 4" in x for x in got):
        f.append(f"commands that bypassed QEMU's SMMUv3 code do not fail: "
                 f"{got}")
    os.unlink(os.path.join(tmp, "sim-trace.log"))

    # waited / expected_lines
    run = Run([(0.0, x) for x in good + [
        "SMMUEXT-RESULT wait word=X found=0 uptime=9"]], 0, 1.0)
    if not waited(run, "X") or not expected_lines(run, [r"no such line"]):
        f.append("a wait that found nothing, or a missing kernel line, "
                 "does not fail")
    return f


def selftest_split():
    """QEMU's stderr on its own pipe: a warning written while the guest
    was half way through a console line stays whole and counts as QEMU's,
    and so does the console line.  The control is the one merged stream
    that CI once saw, where the warning is lost inside a kernel line."""
    f = []
    kline = "[    2.5] platform NVDA200C:00: tegra241_cmdqv: VINTF0: x"
    warn = "qemu-system-aarch64: warning: guest sees CMDQ_INIT_ERR"
    boot = (0.0, "[    0.000000] Booting Linux on physical CPU 0x0")
    merged = Run([boot, (1.0, kline[:20] + warn), (1.1, kline[20:])],
                 0, 1.0)
    if warn in merged.qemu_lines:
        f.append("split control: a warning inside a console line was "
                 "still found, so the check below proves nothing")
    split = Run([boot, (1.0, kline)], 0, 1.0, errlines=[(0.9, warn)])
    if split.qemu_lines != [warn]:
        f.append(f"split: QEMU's lines are {split.qemu_lines}, wanted the "
                 "warning alone")
    if split.boots[0].klines[1:] != [kline[kline.index("]") + 2:]]:
        f.append(f"split: the console line is {split.boots[0].klines}")
    if [t for t, _ in split.lines] != [0.0, 0.9, 1.0]:
        f.append("split: the two streams are not merged in time order")
    return f


def selftest(name):
    """The checks on made-up logs (no QEMU, no kernel): a good log passes,
    each kind of bad log fails for its reason.  Runs in the quick suite."""
    import tempfile
    f = []
    tmp = tempfile.mkdtemp(prefix="guest-selftest-")
    disk = Disk(tmp, "smmuext-a", mib=1)
    md5 = hashlib.md5(disk.initial).hexdigest()
    mark = hashlib.md5(marker("smmuext-a", 0)).hexdigest()
    with open(disk.path, "r+b") as fh:
        fh.seek(disk.scratch * BS)
        fh.write(marker("smmuext-a", 0))
    good = [
        "[    0.000000] Booting Linux on physical CPU 0x0",
        "[    0.6] arm-smmu-v3 arm-smmu-v3.0.auto: found companion CMDQV "
        "device: NVDA200C:00",
        "[    0.6] arm-smmu-v3 arm-smmu-v3.0.auto: allocated 256 entries for "
        "vcmdq0",
    ] + [f"[    0.6] platform NVDA200C:00: tegra241_cmdqv: VINTF0: "
         f"VCMDQ{q}/LVCMDQ{q}: {v}" for q in (0, 1)
         for v in ("allocated", "mapped", "inited")] + [
        "SMMUEXT-RESULT init uptime=1.0 cpus=2",
        "SMMUEXT-RESULT disk serial=smmuext-a dev=vda pci=0000:00:01.0 "
        "group=1 type=DMA sectors=2048 boot=0",
        f"SMMUEXT-RESULT md5 serial=smmuext-a boot=0 md5={md5}",
        f"SMMUEXT-RESULT write serial=smmuext-a boot=0 block=192 "
        f"want={mark} got={mark}",
        "SMMUEXT-RESULT cmdqv dev=NVDA200C:00 base=0x0c080000 "
        "config=0x00020083 param=0x00004011 status=0x00000001 "
        "vintf0_config=0x00000001 vintf0_status=0x00020001 "
        "alloc0=0x00000001 vcmdq0_config=0x00000001 "
        "vcmdq0_status=0x00000001 vcmdq0_base=0x40211008 "
        "alloc1=0x00000003 vcmdq1_config=0x00000001 "
        "vcmdq1_status=0x00000001 vcmdq1_base=0x40212008",
        "SMMUEXT-RESULT workload reads=10 disks=1 cpus=2 jobs=2 failed=0 "
        "t0=1.0 t1=2.0",
        "SMMUEXT-RESULT done boot=0 of=1 uptime=2.1",
        "counter commands.tlbi_nh_asid: 0",
        "counter vcmdq0.tlbi_nh_va: 500", "counter vcmdq0.cmd_sync: 500",
        "counter vcmdq0.errors: 0",
        "qemu-system-aarch64: smmu-ext: arm-smmuv3 smmu0: "
        "vcmdq1.tlbi_nh_va 400",
        "qemu-system-aarch64: smmu-ext: vcmdq1.cmd_sync 400",
    ]

    def checks(lines):
        run = Run([(0.0, x) for x in lines], 0, 1.0)
        return (check_exit(run, 1) + check_dma(run, [disk]) +
                check_probe(run) + check_vcmdq(run) +
                check_workload(run, 10) +
                [x for i, b in enumerate(run.boots)
                 for x in check_clean(b, i)])

    def sub(old, new):
        return [x.replace(old, new) for x in good]

    got = checks(good)
    if got:
        f.append(f"a good log fails: {got}")
    bad = {
        "identity group": (sub("type=DMA", "type=identity"),
                           "not DMA-translated"),
        "md5": (sub(md5, "0" * 32), "whole-disk md5"),
        "read back": (sub(f"got={mark}", "got=" + "1" * 32), "read back"),
        "HYP_OWN": (sub("vintf0_config=0x00000001",
                        "vintf0_config=0x00020001"), "HYP_OWN"),
        "queue off": (sub("vcmdq1_status=0x00000001",
                          "vcmdq1_status=0x00000000"), "LVCMDQ1 ENABLED"),
        "no companion": ([x for x in good if "companion" not in x],
                         "found companion"),
        "not inited": ([x for x in good if "LVCMDQ1: inited" not in x],
                       "LVCMDQ1: inited"),
        "no counts": ([x for x in good if "counter" not in x and
                       "smmu-ext:" not in x], "no per-VCMDQ"),
        "few wraps": ([x.replace(" 400", " 100") for x in good],
                      "fewer than 3 wraps"),
        "no sync": ([x for x in good if "vcmdq0.cmd_sync" not in x],
                    "no CMD_SYNC"),
        "errors": (sub("vcmdq0.errors: 0", "vcmdq0.errors: 2"), "errors = 2"),
        "dropped": (good + ["counter vcmdq1.dropped: 7"], "dropped = 7"),
        "idle queue": ([x for x in good if "vcmdq1." not in x],
                       "VCMDQ1: enabled by the guest but consumed nothing"),
        "timeout": (good + ["[    3.0] arm-smmu-v3 arm-smmu-v3.0.auto: "
                            "CMD_SYNC timeout at 0x00000102"],
                    "CMD_SYNC timeout"),
        "reader failed": (sub("failed=0", "failed=1"), "workload readers"),
        "no end": ([x for x in good if "done" not in x], "never reached"),
    }
    leak = checks(good) + check_zero_objects(
        Run([(0.0, x) for x in good + ["counter objects.hw_queues: 1"]],
            0, 1.0))
    if not any("live at exit: objects.hw_queues = 1" in x for x in leak):
        f.append(f"a live object at exit does not fail: {leak}")
    for what, (lines, why) in bad.items():
        got = checks(lines)
        if not any(why in x for x in got):
            f.append(f"a log with '{what}' does not fail on '{why}': {got}")
    # check_trace: PROD writes of a 256-entry ring, the wrap bit at bit 8.
    def trace_of(vcmdq1_prods, main_prods):
        path = os.path.join(tmp, "trace.log")
        w = "memory_region_ops_{} cpu 0 mr 0x1 addr {:#x} value {:#x} " \
            "size 4 name '{}'\n"
        with open(path, "w") as fh:
            fh.write(w.format("read", 0x9050000, 0, "arm-smmuv3"))
            fh.write(w.format("read", 0xc080000, 0x20083, "tegra241"))
            for v in main_prods:
                fh.write(w.format("write", 0x9050098, v, "arm-smmuv3"))
            for v in range(1, 2000):
                fh.write(w.format("write", 0xc0b0004, v & 0x1ff,
                                  "tegra241"))
            for v in vcmdq1_prods:
                fh.write(w.format("write", 0xc0b0084, v & 0x1ff,
                                  "tegra241"))
        return path

    lines = good + ["[    0.6] arm-smmu-v3 arm-smmu-v3.0.auto: allocated "
                    "256 entries for vcmdq1",
                    "[    0.6] arm-smmu-v3 arm-smmu-v3.0.auto: allocated "
                    "256 entries for cmdq"]
    run = Run([(0.0, x) for x in lines], 0, 1.0)
    got = check_trace(run, trace_of(range(1, 1000), range(1, 20)))
    if got:
        f.append(f"a good trace fails: {got}")
    for what, args, why in [
            ("short ring", (range(1, 500), range(1, 20)),
             "vcmdq1 was given 499 commands"),
            ("main CMDQ", (range(1, 1000), range(1, 400)), "the main CMDQ")]:
        got = check_trace(run, trace_of(*args))
        if not any(why in x for x in got):
            f.append(f"a trace with '{what}' does not fail on '{why}': {got}")
    os.unlink(os.path.join(tmp, "trace.log"))
    f += selftest_sim(tmp, good) + selftest_split()
    if not f:
        log(f"selftest: the good log passes, {len(bad) + 2} bad ones fail; "
            "the sim-mode checks pass and fail as they must")
    os.unlink(disk.path)
    os.rmdir(tmp)
    return f


CASES = {
    "dma-qemu72": case_dma72,
    "control-nosmmu-qemu72": case_nosmmu72,
    "control-passthrough-qemu72": case_passthrough72,
    "probe": case_probe,
    "vcmdq": case_vcmdq,
    "cmdqv-off": case_cmdqv_off,
    # drop: CONS moves on without executing (the library counts them as
    # dropped); disable: CMDQV_EN and VINTF0 EN never take.
    "break-drop": case_break("drop", r"dropped|md5|read back|CMD_SYNC"),
    "break-disable": case_break("disable",
                                r"failed to enable|CMDQV_EN|VINTF0 EN"),
    "reset": case_reset,
    "page64k": case_64k,
    "two-smmu": case_two_smmu,
    "figures": case_figures,
    "sim-probe": case_sim_probe,
    "sim-vcmdq": case_sim_vcmdq,
    "sim-reset": case_sim_reset,
    "sim-break-trap": case_sim_break_trap,
    "sim-hw-error": case_sim_hw_error,
    "sim-bad-ste": case_sim_bad_ste,
    "sim-init-err": case_sim_init_err,
    "sim-unplug": case_sim_unplug,
    "selftest": selftest,
}


def main(argv):
    if len(argv) != 2 or argv[1] not in CASES:
        print(f"usage: {argv[0]} CASE\ncases: {' '.join(CASES)}",
              file=sys.stderr)
        return 2
    name = argv[1]
    try:
        failures = CASES[name](name)
    except CaseError as e:
        failures = [f"cannot run: {e}"]
    for line in failures:
        log(f"FAIL: {line}")
    log(f"{name}: {'FAILED' if failures else 'passed'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
