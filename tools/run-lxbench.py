#!/usr/bin/env python3
"""The guest benchmarks of issue 24 against native Linux on the same emulator (docs/guest.md,
"Benchmarks"): one static i386 program, tests/guest/bench/lxbench.c, run three ways.

    tools/run-lxbench.py native --vmlinuz V --initrd LXBENCH.CPIO --qemu-args "..."
                                --log FILE --out docs/bench/native-results.csv
                                [--reference linux-native-icount.tsv]
    tools/run-lxbench.py guest  --kernel K --vmm VMM --guest GUEST --initrd LXBENCH.CPIO
                                --build-dir DIR --qemu-args "..." --log FILE
                                --native docs/bench/native-results.csv
                                --out docs/bench/guest-results.csv --table docs/bench/guest.md
                                [--results docs/bench/results.csv]
    tools/run-lxbench.py smoke  --kernel K --vmm VMM --guest GUEST --initrd LXBENCH.CPIO
                                --build-dir DIR --log-dir DIR [--counts FILE]

`native` boots Debian's own i386 kernel (vmlinuz from linux-image-686:i386, make bench-native)
with the archive as its initramfs and the program as its first process (`rdinit=/bin/lxbench --
--native`: it mounts /dev and a tmpfs on /tmp and powers the machine off at the end); the CSV has
name,native,reference,ratio (ratio = native / the shared reference figure).

`guest` boots our benchmark kernel, the VMM and one guest whose init= is the same program
(`make bench-guest`); the CSV has name,native,guest,ratio,goal,met, the table (Markdown) the same
with where each missed row's instructions go, and --results gets its guest_* rows replaced by the
guest's figures (ours column; the sel4 and ratio columns stay empty: the reference of these rows
is native Linux, in guest-results.csv).

`smoke` (make test, pseudo suite `lxbench`) runs the program with --quick on the debug kernel and
passes when it runs to its end ("BENCH DONE", exit status 0, the guest kernel gives everything
back) and prints every row as BENCH or BENCH_SKIP: no figure is checked.

Every boot has a timeout; a boot fails without "BENCH DONE", on a kernel panic or a guest crash,
and then no file in docs/ is written.
"""
import argparse
import csv
import os
import re
import shlex
import subprocess
import sys
import time

from testreport import report

ROWS = ["guest_syscall_getpid", "guest_syscall_getpid_vdso", "guest_mmap_64k", "guest_brk_64k",
        "guest_pagefault", "guest_pagefault_file", "guest_pagefault_file_fault",
        "guest_pagefault_file_1page", "guest_signal_catch", "guest_pipe_roundtrip",
        "guest_fork_exit", "guest_fork_exec", "guest_exec", "guest_execve_only", "guest_shell"]
CONTEXT = ["rdtsc_overhead"]
# Issue 24's goals: the guest's count over native Linux's, at most this.
GOALS = {"guest_syscall_getpid": 2.0, "guest_pagefault": 1.5, "guest_fork_exit": 1.5,
         "guest_fork_exec": 1.5, "guest_shell": 1.5}
BENCH_RE = re.compile(r"^(?:\[\S+\] )?BENCH\s+(\S+)\s+(\d+)\s*$")
SKIP_RE = re.compile(r"^(?:\[\S+\] )?BENCH_SKIP\s+(\S+)\s+(.*)$")
NOTE_RE = re.compile(r"^(?:\[\S+\] )?BENCH_NOTE\s+(\S+)\s+(.*)$")
DONE_RE = re.compile(r"^(?:\[\S+\] )?BENCH DONE\s*$")
BAD_RE = re.compile(r"^(KERNEL PANIC|vmm: guest '\S+' crashed|Kernel panic|vmm: building guest "
                    r"\S+ failed|vmm: no guest was built)")
GUEST_NAME = "lxbench"
GUEST_MEMORY = 0x6000000            # 96 MiB: 16 MiB mappings, the 16 MiB file and its copies
SMOKE_MEMORY = 0x1000000            # 16 MiB: --quick maps 256 KiB at a time
SMOKE_QEMU = ["-m", "128M", "-display", "none", "-serial", "stdio", "-monitor", "none",
              "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
SMOKE_TIMEOUT = 120
AFTER_DONE = 20                     # seconds QEMU gets after BENCH DONE to exit by itself
AFTER_EXIT = 3                      # and after the guest kernel's last word on the program
EXIT_OK = 33
STATUS_RE = re.compile(r"^\[%s\] guest-stub: linux: \S+ (exited with status|killed by signal) "
                       r"(\d+)(?: after (\d+) system calls)?" % GUEST_NAME)


class Run:
    """What one boot printed."""

    def __init__(self):
        self.rows, self.skips, self.lines, self.notes = {}, {}, [], []
        self.warnings, self.ended = [], False
        self.done, self.bad, self.status = False, [], None


def boot(cmd, log_path, timeout):
    """Runs QEMU until it exits, prints BENCH DONE and exits or times out; returns a Run."""
    run = Run()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    deadline = time.monotonic() + timeout
    os.set_blocking(proc.stdout.fileno(), False)
    pending, done_at, ended_at = b"", None, None
    with open(log_path, "wb") as log:
        while True:
            chunk = proc.stdout.read()
            if time.monotonic() > deadline:
                run.bad.append("timed out after %ds" % timeout)
                break
            if chunk:
                log.write(chunk)
                pending += chunk
                *lines, pending = pending.replace(b"\r", b"").split(b"\n")
                for raw in lines:
                    scan(run, raw.decode("utf-8", "replace"))
                if run.done and done_at is None:
                    done_at = time.monotonic()
                if run.ended and ended_at is None:
                    ended_at = time.monotonic()
            elif proc.poll() is not None:
                break
            elif run.bad:
                break               # nothing more to learn from this boot
            elif run.ended and time.monotonic() > ended_at + AFTER_EXIT:
                break               # the guest kernel said how the program ended
            elif run.done and time.monotonic() > done_at + AFTER_DONE:
                break               # a release kernel may idle instead of halting
            else:
                time.sleep(0.05)
    killed = proc.poll() is None
    if killed:
        proc.kill()
    proc.wait()
    if pending:
        scan(run, pending.decode("utf-8", "replace"))
    run.status = None if killed else proc.returncode
    return run


def scan(run, line):
    run.lines.append(line)
    m = BENCH_RE.match(line)
    if m and m.group(1) not in run.rows:
        run.rows[m.group(1)] = int(m.group(2))
    m = SKIP_RE.match(line)
    if m:
        run.skips[m.group(1)] = m.group(2)
    m = NOTE_RE.match(line)
    if m:
        run.notes.append((m.group(1), m.group(2)))
    if STATUS_RE.match(line):
        run.ended = True
    if DONE_RE.match(line):
        run.done = True
    if BAD_RE.match(line):
        run.bad.append(line)


def failures(run):
    why = list(run.bad)
    if not run.done:
        why.append("no BENCH DONE")
    missing = [r for r in ROWS if r not in run.rows and r not in run.skips]
    if missing:
        why.append("rows neither measured nor skipped: " + " ".join(missing))
    return why


def read_reference(path):
    """name -> instructions from shared/bench/linux-native-icount.tsv."""
    ref = {}
    if path and os.path.exists(path):
        for line in open(path):
            f = line.rstrip("\n").split("\t")
            if len(f) >= 2 and f[1].isdigit():
                ref[f[0]] = int(f[1])
    return ref


def ratio(a, b):
    return "%.2f" % (a / b) if a is not None and b else ""


def cmd_native(args):
    cmd = [args.qemu, "-kernel", args.vmlinuz, "-initrd", args.initrd,
           "-append", "console=ttyS0 quiet rdinit=/bin/lxbench -- --native"] + \
        shlex.split(args.qemu_args)
    run = boot(cmd, args.log, args.timeout)
    why = failures(run)
    ref = read_reference(args.reference)
    for name in CONTEXT + ROWS:
        if name in run.rows:
            print("BENCH %s %d (reference %s)" % (name, run.rows[name], ref.get(name, "-")))
        elif name in run.skips:
            print("BENCH_SKIP %s %s" % (name, run.skips[name]))
    if why:
        print("bench-native: " + "; ".join(why) + " (%s)" % args.log, file=sys.stderr)
        return 1
    with open(args.out, "w") as f:
        f.write("name,native,reference,ratio\n")
        for name in CONTEXT + ROWS:
            v = run.rows.get(name)
            f.write("%s,%s,%s,%s\n" % (name, "" if v is None else v, ref.get(name, ""),
                                       ratio(v, ref.get(name))))
    print("bench-native: wrote %s" % args.out)
    return 0


def dts(bootargs, memory):
    return """/* Generated by tools/run-lxbench.py. */
/dts-v1/;

/ {
    compatible = "cvm,partitions-v1";
    model = "lxbench";

    guests {
        %s {
            compatible = "cvm,guest";
            kernel = "guest-stub.elf";
            initrd = "%s";
            bootargs = "%s";
            memory = <0x0 0x%08x>;
            policy = "delegated";
            priority = <100>;
        };
    };
};
""" % (GUEST_NAME, "lxbench.cpio", bootargs, memory)


def guest_boot(args, bootargs, memory, qemu_args, log_path, timeout, strict):
    """Boots the guest; strict: the guest kernel must also give every object back."""
    os.makedirs(args.build_dir, exist_ok=True)
    name = os.path.join(args.build_dir, "lxbench-%s" % ("quick" if "--quick" in bootargs
                                                        else "bench"))
    with open(name + ".dts", "w") as f:
        f.write(dts(bootargs, memory))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", name + ".dtb", name + ".dts"],
                   check=True)
    if os.path.basename(args.initrd) != "lxbench.cpio":
        sys.exit("run-lxbench: the archive must be named lxbench.cpio (the module name)")
    cmd = [args.qemu, "-kernel", args.kernel, "-initrd",
           ",".join([args.vmm, name + ".dtb", args.guest, args.initrd])] + qemu_args
    run = boot(cmd, log_path, timeout)
    statuses = [m for m in (STATUS_RE.match(l) for l in run.lines) if m]
    if len(statuses) != 1:
        run.bad.append("%d exit lines from the guest kernel" % len(statuses))
    elif statuses[0].group(1) != "exited with status" or statuses[0].group(2) != "0":
        run.bad.append("lxbench %s %s" % (statuses[0].group(1), statuses[0].group(2)))
    if run.status not in (EXIT_OK, None) and "timed out" not in " ".join(run.bad):
        run.bad.append("QEMU status %s, expected %d" % (run.status, EXIT_OK))
    leaks = [l for l in run.lines if "not given back" in l]
    if strict:
        run.bad += leaks
    else:
        run.warnings += leaks
    return run


def read_native(path):
    """(name -> native figure, name -> the shared reference's) from native-results.csv."""
    native, reference = {}, {}
    with open(path) as f:
        for row in csv.DictReader(f):
            if row["native"]:
                native[row["name"]] = int(row["native"])
            if row["reference"]:
                reference[row["name"]] = int(row["reference"])
    return native, reference


# Where a row's instructions go, for the table: what the guest does that Linux does not.
WHERE = {
    "guest_syscall_getpid": "two kernel entries per call against Linux's one: the int $0x80 "
                            "delivered as an UnknownSyscall fault and the guest kernel's "
                            "ReplyRecv (both on our kernel's fastpath); then the guest kernel's "
                            "loop (finding the process by badge, the message registers copied "
                            "one by one, after_event's walk of signals and parked calls) and the "
                            "personality's dispatch",
    "guest_syscall_getpid_vdso": "no vDSO in the guest: glibc uses int $0x80, as the row above",
    "guest_mmap_64k": "mmap and munmap are fault round trips to the guest kernel; the "
                      "pages are only promised (demand paging), none is touched",
    "guest_brk_64k": "as guest_mmap_64k, two brk calls",
    "guest_signal_catch": "kill and rt_sigreturn are two fault round trips to the guest kernel "
                          "(see guest_syscall_getpid); the frame is built by the guest kernel "
                          "and copied out through its mapping of the stack page",
    "guest_fork_exit": "fork, exit and wait4 are fault round trips to the guest kernel; fork "
                       "makes a VSpace and a TCB through memmgr, copies the parent's page "
                       "table and makes its writable pages read-only (copy-on-write); the "
                       "child's pages are mapped lazily, so every page either side touches "
                       "next is a VMFault round trip, and every one written a frame, a 4 KiB "
                       "copy and two mappings; exit unmaps and frees page by page (a "
                       "Page_Unmap and a CNode_Delete each) and gives the VSpace back",
    "guest_fork_exec": "fork as guest_fork_exit, then execve: a fresh VSpace and thread; the "
                       "image's pages, bss and stack promised and faulted in page by page "
                       "(an image page filled from the file)",
    "guest_exec": "vfork is fork plus a waiting parent in the guest (no shared memory), so "
                  "as guest_fork_exec",
    "guest_execve_only": "as the execve of guest_fork_exec",
    "guest_shell": "execve of the 2 MiB busybox: every page ash touches is a VMFault round "
                   "trip and a frame: text pages are the page cache's frames mapped with a "
                   "capability copy; the pages at a segment's ends and the data are a fresh "
                   "frame shown in the guest kernel and copied from the page cache; bss, heap "
                   "and stack pages are frames the retype left zero, mapped with their own "
                   "capability (Linux also maps several cached pages per fault); plus fork "
                   "as guest_fork_exit",
    "guest_pagefault": "each first touch is a VMFault round trip to the guest kernel (our "
                       "kernel's part: vmfault_roundtrip in results.csv), a frame from "
                       "memmgr's pool that its retype left zero (no clear, no mapping in the "
                       "guest kernel) and one map of its own capability in the process",
    "guest_pagefault_file": "a read fault is a VMFault round trip that finds no entry in the "
                            "guest kernel's table, then the personality maps the page-cache "
                            "page and up to 15 cached neighbours (fault-around): a capability "
                            "copy and a map each, through memmgr, where Linux fills 16 page "
                            "table entries",
    "guest_pagefault_file_fault": "as guest_pagefault_file: one round trip, 16 mappings",
    "guest_pagefault_file_1page": "one round trip and one mapping (a capability copy and a "
                                  "map through memmgr)",
}


ROUNDTRIP = "unknown_syscall_roundtrip"    # make bench's own row: int $0x80 to handler and back


def read_results(path):
    """name -> ours from results.csv (the kernel's own rows), {} without it."""
    rows = {}
    if path and os.path.exists(path):
        with open(path) as f:
            for row in csv.DictReader(f):
                if row.get("ours", "").isdigit():
                    rows[row["name"]] = int(row["ours"])
    return rows


def cmd_guest(args):
    run = guest_boot(args, "init=/bin/lxbench", args.memory << 20, shlex.split(args.qemu_args),
                     args.log, args.timeout, False)
    why = failures(run)
    for name in CONTEXT + ROWS:
        if name in run.rows:
            print("BENCH %s %d" % (name, run.rows[name]))
        elif name in run.skips:
            print("BENCH_SKIP %s %s" % (name, run.skips[name]))
    if why:
        print("bench-guest: " + "; ".join(why) + " (%s)" % args.log, file=sys.stderr)
        return 1
    native, reference = read_native(args.native)
    kernel_rows = read_results(args.results)
    table = []
    for name in CONTEXT + ROWS:
        n, g = native.get(name), run.rows.get(name)
        r = g / n if g is not None and n else None
        goal = GOALS.get(name)
        met = "" if goal is None or r is None else ("yes" if r <= goal else "no")
        note = run.skips.get(name, "") if g is None else ""
        if g is not None and (met == "no" or (goal is None and r is not None and r > 1.5)
                              or name in ("guest_pagefault", "guest_pagefault_file",
                                          "guest_pagefault_file_fault",
                                          "guest_pagefault_file_1page")):
            note = WHERE.get(name, "")
        if note and name == "guest_syscall_getpid" and kernel_rows.get(ROUNDTRIP):
            note += "; of its %d instructions the kernel's fault round trip (%s in " \
                    "results.csv) is %d, the guest kernel's loop and handler the other %d" % (
                        g, ROUNDTRIP, kernel_rows[ROUNDTRIP], g - kernel_rows[ROUNDTRIP])
        table.append((name, n, g, r, goal, met, note))
    with open(args.out, "w") as f:
        f.write("name,native,guest,ratio,goal,met\n")
        for name, n, g, r, goal, met, _ in table:
            f.write("%s,%s,%s,%s,%s,%s\n" % (name, "" if n is None else n,
                                             "" if g is None else g,
                                             "" if r is None else "%.2f" % r,
                                             "" if goal is None else goal, met))
    for w in run.warnings:
        print("bench-guest: warning: %s" % w, file=sys.stderr)
    write_table(args.table, table, args.commit, run.notes, run.warnings, reference)
    if args.results:
        update_results(args.results, run.rows)
    print("bench-guest: wrote %s and %s" % (args.out, args.table))
    return 0


def write_table(path, table, commit, notes, warnings, reference):
    out = ["# Guest benchmarks against native Linux (issue 24)", "",
           "Generated by `make bench-guest` (tools/run-lxbench.py)%s; do not edit. The same "
           "static i386 program, `tests/guest/bench/lxbench.c`, runs as the first process of "
           "Debian's own i386 kernel (native, `make bench-native`) and as the `init=` program "
           "of a guest partition on `build/kernel-bench` (guest), both under "
           "`qemu-system-i386 -icount shift=0,sleep=off` with the same CPU model. Figures are "
           "instructions (rdtsc), user and kernel together; the method of each row is the one "
           "of `shared/bench/linux-native-icount.tsv` (docs/guest.md, \"Benchmarks\"). Goals are "
           "issue 24's: guest / native at most the figure given." % (
               " at %s" % commit if commit else ""), "",
           "The reference column is `shared/bench/linux-native-icount.tsv` (the same kind of "
           "program on linux-image-6.1.0-50-686, QEMU's default CPU), for comparison with the "
           "native column measured here (`native-results.csv`).", "",
           "| row | reference | native | guest | ratio | goal | met | where the instructions go "
           "/ why not measured |", "|---|---:|---:|---:|---:|---:|---|---|"]
    for name, n, g, r, goal, met, note in table:
        out.append("| %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, reference.get(name, "-"), "-" if n is None else n, "-" if g is None else g,
            "-" if r is None else "%.2f" % r, "-" if goal is None else "<= %.1f" % goal,
            met or "-", note.replace("|", "\\|")))
    if notes or warnings:
        out += ["", "Notes from the guest's run:", ""]
        out += ["- %s: %s" % (name, text) for name, text in notes]
        out += ["- the guest kernel: %s" % re.sub(r"^\[\S+\] ", "", w) for w in warnings]
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def update_results(path, rows):
    """Replaces results.csv's guest_* rows by the guest's figures (ours; sel4 and ratio empty)."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        lines = [l for l in f.read().splitlines() if not l.startswith("guest_")]
    lines += ["%s,%d,," % (name, rows[name]) for name in ROWS if name in rows]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def cmd_smoke(args):
    os.makedirs(args.log_dir, exist_ok=True)
    run = guest_boot(args, "init=/bin/lxbench --quick", SMOKE_MEMORY, SMOKE_QEMU,
                     os.path.join(args.log_dir, "lxbench-quick.log"), SMOKE_TIMEOUT, True)
    return report("lxbench", [("quick", failures(run))], args.counts)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    n = sub.add_parser("native")
    for a in ("--vmlinuz", "--initrd", "--log", "--out"):
        n.add_argument(a, required=True)
    n.add_argument("--reference")
    for p in (n, sub.add_parser("guest"), sub.add_parser("smoke")):
        p.add_argument("--qemu", default="qemu-system-i386")
        if p is not n:
            for a in ("--kernel", "--vmm", "--guest", "--initrd", "--build-dir"):
                p.add_argument(a, required=True)
    g = sub.choices["guest"]
    for a in ("--log", "--native", "--out", "--table"):
        g.add_argument(a, required=True)
    g.add_argument("--results")
    g.add_argument("--memory", type=int, default=GUEST_MEMORY >> 20, help="the guest's MiB")
    g.add_argument("--commit", default="")
    for p in (n, g):
        p.add_argument("--qemu-args", default="")
        p.add_argument("--timeout", type=int, default=600)
    s = sub.choices["smoke"]
    s.add_argument("--log-dir", required=True)
    s.add_argument("--counts")
    args = ap.parse_args()
    return {"native": cmd_native, "guest": cmd_guest, "smoke": cmd_smoke}[args.what](args)


if __name__ == "__main__":
    raise SystemExit(main())
