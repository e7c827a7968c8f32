#!/usr/bin/env python3
"""Boot the kernel in odd situations and check that it boots or stops with the right message.

    tools/run-boot-scenarios.py --conf tests/robust/scenarios.conf --kernel KERNEL
                                [--log-dir DIR] [--counts FILE] [--jobs N] [--qemu QEMU]
                                [--only NAME ...]

Each [section] of the configuration is one scenario, one QEMU boot, one test:

    [no-root-module]
    modules      = build/robust/not-elf.txt   # multiboot modules, repository-relative, in
                                              # order; empty: no module at all (no -initrd).
                                              # Default: the boot suite, build/tests/system/boot.elf
    qemu_args    = -m 8M                      # extra QEMU arguments (default -m 128M)
    expect_panic = no boot modules            # the kernel must stop: a "KERNEL PANIC" line
                                              # containing this text, and exit status 253
    expect       = TESTS DONE                 # lines that must appear (substrings), one per
                   chunk 6: present           # line; a scenario without expect_panic must
                                              # also end with exit status 33 and TESTS DONE
    timeout      = 30                         # seconds (default 30); a hang is a failure

Besides the kernel's own messages, a scenario fails when the root task reports a failed test
(a line "TEST <name> FAIL <reason>", tools/run-system-test.py's protocol) or the debug kernel's
invariant checker reports a violation ("INVARIANT VIOLATED ...").

When the root task is the boot suite and the kernel is expected to boot, the figures it prints
("boot: usable RAM ...; untyped RAM N KiB ...") are also checked against bounds that do not
come from the kernel: the RAM QEMU was given (-m), and the sizes of the kernel image and the
modules read from their files.  The boot suite itself checks that the untypeds cover the
memory map's RAM minus the kernel's reserved ranges, but both come from the kernel's bootinfo;
here the untyped RAM must lie between

    window RAM - HIGHMEM - BIOS_TOP_SLACK - reserved bound   and   window RAM - HIGHMEM

where window RAM = min(-m, WINDOW_TOP), and the reserved bound = the kernel's loaded span +
each module's file size + the root task's loaded span + BOOT_STRUCTURES (all page-rounded).

Prints "PASS robust/<name>" or "FAIL robust/<name>: <reasons>" with the log's last lines, and
a summary; logs are <log-dir>/<name>.log.  --counts FILE receives "passed failed skipped".
Exit status 0 if nothing failed.
"""

import argparse
import concurrent.futures
import configparser
import os
import re
import shlex
import struct
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
EXIT_OK = 33        # DebugHalt: (0x10 << 1) | 1
EXIT_PANIC = 253    # panic: (0x7e << 1) | 1
DEFAULT_ROOT = "build/tests/system/boot.elf"
DEFAULT_TIMEOUT = 30
QEMU_BASE = ["-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
KEYS = {"modules", "qemu_args", "expect_panic", "expect", "timeout"}
# The lines tools/run-system-test.py judges: a failed test, and the debug kernel's invariant
# checker reporting a violation (kernel/include/abi/invariant.h).
TEST_FAIL_RE = re.compile(r"^TEST\s+(\S+)\s+FAIL\b\s*(.*)$")
INVARIANT_RE = re.compile(r"^INVARIANT VIOLATED")

# ---- independent bounds on the boot suite's untyped RAM ----
KIB = 1024
MIB = 1024 * KIB
PAGE = 4 * KIB
DEFAULT_MEMORY = "128M"
# Only RAM at or above 1 MiB counts (seL4 x86 HIGHMEM_PADDR; the boot suite says the same).
HIGHMEM = MIB
# Top of the kernel window: RAM above it becomes device untypeds (PADDR_WINDOW_TOP).
WINDOW_TOP = 0x1fc00000
# SeaBIOS keeps the top 128 KiB of RAM below 4 GiB for itself (e820 reserved); allow twice that
# for QEMU and BIOS versions that keep more.
BIOS_TOP_SLACK = 256 * KIB
# What boot allocates beyond the images: the root CNode (2^13 slots of 16 bytes at the default
# ROOT_CNODE_BITS = 128 KiB), the root TCB, page directory, page tables, IPC buffer, bootinfo
# and extra-bootinfo pages and the ASID pool: generously 256 KiB.
BOOT_STRUCTURES = 256 * KIB
ELF_PT_LOAD = 1
UNTYPED_RAM_RE = re.compile(r"^boot: usable RAM .*; untyped RAM (\d+) KiB")


class Scenario:
    def __init__(self, name, sec):
        unknown = set(sec.keys()) - KEYS
        if unknown:
            raise ValueError("[%s]: unknown key(s) %s" % (name, ", ".join(sorted(unknown))))
        self.name = name
        # Repository-relative: QEMU runs in the repository, so the module names the
        # kernel prints are these paths.
        self.modules = sec.get("modules", DEFAULT_ROOT).split()
        self.qemu_args = shlex.split(sec.get("qemu_args", ""))
        self.panic = sec.get("expect_panic", "").strip() or None
        self.expect = [l.strip() for l in sec.get("expect", "").splitlines() if l.strip()]
        self.timeout = float(sec.get("timeout", DEFAULT_TIMEOUT))


def page_up(n):
    return (n + PAGE - 1) // PAGE * PAGE


def loaded_span(path):
    """Bytes an ELF32 file's PT_LOAD segments occupy in memory, page-rounded each."""
    with open(path, "rb") as f:
        data = f.read()
    phoff, = struct.unpack_from("<I", data, 28)
    phentsize, phnum = struct.unpack_from("<HH", data, 42)
    total = 0
    for i in range(phnum):
        p_type, _, _, paddr, _, memsz = struct.unpack_from("<6I", data, phoff + i * phentsize)
        if p_type == ELF_PT_LOAD and memsz:
            total += page_up(paddr + memsz) - paddr // PAGE * PAGE
    return total


def memory_bytes(qemu_args):
    """QEMU's -m (default 128M) in bytes; a bare number is MiB, as QEMU reads it."""
    value = DEFAULT_MEMORY
    for i, a in enumerate(qemu_args[:-1]):
        if a == "-m":
            value = qemu_args[i + 1]
    m = re.match(r"^(\d+)([KMG]?)$", value.upper())
    if not m:
        raise ValueError("cannot read -m %s" % value)
    unit = {"K": KIB, "M": MIB, "G": 1024 * MIB, "": MIB}[m.group(2)]
    return int(m.group(1)) * unit


def check_untyped_ram(args, sc, lines):
    """Problems with the boot suite's untyped RAM against the independent bounds."""
    figures = [UNTYPED_RAM_RE.match(l) for l in lines]
    figures = [m for m in figures if m]
    if not figures:
        return ["no 'boot: usable RAM ... untyped RAM N KiB' line"]
    untyped = int(figures[0].group(1)) * KIB
    window_ram = min(memory_bytes(sc.qemu_args), WINDOW_TOP) - HIGHMEM
    reserved = loaded_span(args.kernel) + loaded_span(os.path.join(REPO, sc.modules[0]))
    reserved += sum(page_up(os.path.getsize(os.path.join(REPO, m))) for m in sc.modules)
    reserved += BOOT_STRUCTURES
    low = window_ram - BIOS_TOP_SLACK - reserved
    if untyped > window_ram:
        return ["untyped RAM %d KiB exceeds the %d KiB of RAM QEMU has above 1 MiB in the window"
                % (untyped // KIB, window_ram // KIB)]
    if untyped < low:
        return ["untyped RAM %d KiB is below %d KiB: the kernel keeps more than its images, "
                "modules and %d KiB of boot structures" % (untyped // KIB, low // KIB,
                                                          BOOT_STRUCTURES // KIB)]
    return []


def read_conf(path):
    cp = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=("#",))
    with open(path) as f:
        cp.read_file(f)
    return [Scenario(name, cp[name]) for name in cp.sections()]


def command(qemu, kernel, sc):
    cmd = [qemu, "-kernel", os.path.abspath(kernel)]
    if sc.modules:
        cmd += ["-initrd", ",".join(sc.modules)]
    if "-m" not in sc.qemu_args:
        cmd += ["-m", "128M"]
    return cmd + QEMU_BASE + sc.qemu_args


def boot(cmd, log_path, timeout):
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log, cwd=REPO,
                                stderr=subprocess.STDOUT, start_new_session=True)
        try:
            return proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
            return None


def judge(args, sc, lines, status):
    problems = []
    for line in lines:
        m = TEST_FAIL_RE.match(line)
        if m:
            problems.append("test %s failed: %s" % m.groups())
        elif INVARIANT_RE.match(line):
            problems.append(line)
    panics = [l for l in lines if l.startswith("KERNEL PANIC")]
    done = any(l == "TESTS DONE" for l in lines)
    if status is None:
        problems.append("timeout after %gs (a hang)" % sc.timeout)
    if sc.panic:
        if not panics:
            problems.append("no KERNEL PANIC line, expected one saying '%s'" % sc.panic)
        elif not any(sc.panic in l for l in panics):
            problems.append("panic message '%s' lacks '%s'" % (panics[0], sc.panic))
        if status is not None and status != EXIT_PANIC:
            problems.append("exit status %d, expected %d (panic)" % (status, EXIT_PANIC))
        if done:
            problems.append("the root task ran to TESTS DONE")
    else:
        if panics:
            problems.append(panics[0])
        if not done:
            problems.append("no 'TESTS DONE'")
        if status is not None and status != EXIT_OK:
            problems.append("exit status %d, expected %d" % (status, EXIT_OK))
        if sc.modules and sc.modules[0] == DEFAULT_ROOT:
            problems += check_untyped_ram(args, sc, lines)
    for want in sc.expect:
        if not any(want in l for l in lines):
            problems.append("no line containing '%s'" % want)
    return problems


def run(args, sc):
    missing = [m for m in sc.modules if not os.path.exists(os.path.join(REPO, m))]
    if missing:
        return sc, ["missing module(s): %s" % " ".join(missing)], [], 0.0
    log_path = os.path.join(args.log_dir, sc.name + ".log")
    start = time.monotonic()
    status = boot(command(args.qemu, args.kernel, sc), log_path, sc.timeout)
    elapsed = time.monotonic() - start
    with open(log_path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    lines = [l.strip() for l in text.replace("\r", "\n").split("\n")]
    return sc, judge(args, sc, lines, status), [l for l in lines if l][-15:], elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--conf", required=True)
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--log-dir", default=os.path.join(REPO, "build", "logs", "robust"))
    ap.add_argument("--counts")
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--qemu", default="qemu-system-i386")
    ap.add_argument("--only", nargs="*", help="run only these scenarios")
    args = ap.parse_args()

    os.makedirs(args.log_dir, exist_ok=True)
    if args.counts and os.path.exists(args.counts):
        os.remove(args.counts)
    passed = failed = 0
    try:
        scenarios = read_conf(args.conf)
    except (OSError, ValueError, configparser.Error) as e:
        print("  FAIL robust:harness: %s" % e)
        scenarios, failed = [], 1
    if args.only:
        scenarios = [s for s in scenarios if s.name in args.only]
    if not os.path.exists(args.kernel):
        print("  FAIL robust:harness: kernel %s does not exist" % args.kernel)
        scenarios, failed = [], failed + 1

    print("== boot scenarios on %s (%d)" % (os.path.relpath(args.kernel), len(scenarios)),
          flush=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for sc, problems, tail, elapsed in pool.map(lambda s: run(args, s), scenarios):
            if problems:
                failed += 1
                print("  FAIL robust/%s: %s" % (sc.name, "; ".join(problems)))
                print("\n".join("  | " + l for l in tail))
            else:
                passed += 1
                print("  PASS robust/%s (%.1fs)" % (sc.name, elapsed))
            sys.stdout.flush()
    print("== robust: %d passed, %d failed" % (passed, failed))
    if args.counts:
        os.makedirs(os.path.dirname(os.path.abspath(args.counts)), exist_ok=True)
        with open(args.counts, "w") as f:
            f.write("%d %d 0\n" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
