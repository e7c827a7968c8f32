#!/usr/bin/env python3
"""Differential tests of the guest kernel's Linux personality: the same static i386 program with
the same arguments, run natively on the build host and in a guest under QEMU.

    tools/run-guest-difftests.py --kernel K --vmm VMM --guest GUEST --initrd INITRAMFS
                                 --rootfs ROOTFS --cases tests/guest/diff.tsv
                                 --build-dir DIR [--jobs N] [--log-dir DIR] [--counts FILE]

Each line of the cases file is a test, fields separated by tabs:

    name    argv                        [rule ...]

argv is split as a shell would (single and double quotes group words; the guest kernel splits
its bootargs the same way), argv[0] is a path inside the initramfs. Natively the program is
ROOTFS/argv[0] with argv[0] as given, run in ROOTFS (so relative paths name the same files as in
the guest, whose current directory is the root) with the guest's environment. In the guest it is
`init=argv` of a guest of its own (32 MiB), two guests to a configuration (the VMM gives each of
at most three guests an ASID pool of its own, and its record area, VMM_META_BYTES, holds the
initrd mappings of two guests of a 7 MiB initramfs, not three).

The test passes when the program's lines (the guest's console lines, less the "[name] " prefix
and the guest kernel's own "guest-stub: " lines) equal the native ones line for line, the exit
status (or killing signal) is the same, and the guest kernel itself survives: it reports the
status and exits through the VMM, never "crashed", and gets every object and byte back (no
"not given back" line). Each optional rule, "count:N:REGEX", asks
that exactly N of the guest's lines (its own included) match REGEX. "memory:SIZE" (bytes, or
with a K or M suffix) gives the case's guest that much memory instead of 32 MiB, and
"initrd:NAME" boots it with the archive NAME beside --initrd (build/guest-stub/tests/pressure.cpio: the
programs of the memory-pressure cases and busybox, small enough for an 8 MiB guest).

Guests run under the delegated policy. The rule "also:mediated" runs the case a second time, as
the test <name>-med, in a guest under the mediated policy (every object and mapping of its
processes asked of the VMM), judged against the same native run by the same rules: the two
policies must run the program alike.

A boot also fails without a clean halt (QEMU status 33) or with a kernel panic.
Prints "TEST guest-diff/<name> PASS|FAIL <why>"; --counts FILE gets "passed failed skipped".
"""
import argparse
import concurrent.futures
import os
import re
import shlex
import subprocess
import threading
from testreport import report

EXIT_OK = 33
TIMEOUT = 240
PER_BOOT = 2
MEMORY = 0x02000000
ENV = {"HOME": "/", "PATH": "/sbin:/usr/sbin:/bin:/usr/bin", "TERM": "vt100"}
QEMU_ARGS = ["-m", "256M", "-display", "none", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
STATUS = re.compile(r"^guest-stub: linux: \S+ (exited with status|killed by signal) (\d+)")
CLOCK = re.compile(r"^guest-stub: clock: time-stamp counter at (\d+) MHz")


def size_of(text):
    """Bytes of "8M", "512K" or a plain number."""
    scale = {"K": 1 << 10, "M": 1 << 20}.get(text[-1:].upper(), 1)
    return int(text[:-1] if scale > 1 else text, 0) * scale


def load_cases(path):
    cases = []
    for line in open(path):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        rules = [r for r in fields[2:] if r.startswith("count:")]
        opts = dict(r.split(":", 1) for r in fields[2:] if r.split(":", 1)[0] in
                    ("memory", "initrd"))
        case = {"name": fields[0], "argv": fields[1], "rules": rules, "policy": "delegated",
                "memory": size_of(opts["memory"]) if "memory" in opts else MEMORY,
                "initrd": opts.get("initrd")}
        cases.append(case)
        if "also:mediated" in fields[2:]:
            cases.append(dict(case, name=fields[0] + "-med", policy="mediated"))
    return cases


# Native runs share the root file system's directories (a script's scratch
# files in tmp/): one at a time, so that boots in parallel cannot see each
# other's files.
NATIVE_LOCK = threading.Lock()


def native(rootfs, argv_text):
    """(lines, status) of the program run on the host: status 'exit N' or 'signal N'."""
    argv = shlex.split(argv_text)
    exe = os.path.join(os.path.abspath(rootfs), argv[0].lstrip("/"))
    with NATIVE_LOCK:
        p = subprocess.run(argv, executable=exe, cwd=rootfs, env=ENV, stdin=subprocess.DEVNULL,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=60)
    status = "signal %d" % -p.returncode if p.returncode < 0 else "exit %d" % p.returncode
    return p.stdout.decode("utf-8", "replace").splitlines(), status


def printable(line):
    """The line as the VMM prints it: other than printable ASCII becomes '?'."""
    return "".join(c if " " <= c < "\x7f" else "?" for c in line)


def dts_for(cases, initrd):
    guests = []
    for c in cases:
        bootargs = ("init=" + c["argv"]).replace("\\", "\\\\").replace('"', '\\"')
        guests.append("""        %s {
            compatible = "cvm,guest";
            kernel = "guest-stub.elf";
            initrd = "%s";
            bootargs = "%s";
            memory = <0x0 0x%08x>;
            policy = "%s";
            priority = <100>;
        };""" % (c["name"], c["initrd"] or initrd, bootargs, c["memory"], c["policy"]))
    return """/* Generated by tools/run-guest-difftests.py. */
/dts-v1/;

/ {
    compatible = "cvm,partitions-v1";
    model = "guest-diff";
    console-script = "list";

    guests {
%s
    };
};
""" % "\n".join(guests)


def boot(args, index, cases):
    """Boots one configuration; returns {name: [why...]} and writes the log."""
    name = "boot%d" % index
    dts = os.path.join(args.build_dir, name + ".dts")
    dtb = os.path.join(args.build_dir, name + ".dtb")
    with open(dts, "w") as f:
        f.write(dts_for(cases, os.path.basename(args.initrd)))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, dts], check=True)
    archives = [args.initrd] + sorted({os.path.join(os.path.dirname(args.initrd), c["initrd"])
                                       for c in cases if c["initrd"]})
    cmd = ["qemu-system-i386", "-kernel", args.kernel, "-initrd",
           ",".join([args.vmm, dtb, args.guest] + archives)] + QEMU_ARGS
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        out, status = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, status = (e.stdout or b"").decode("utf-8", "replace"), "timeout"
    with open(os.path.join(args.log_dir, name + ".log"), "w") as f:
        f.write(out)
    lines = out.splitlines()
    common = []
    if status != EXIT_OK:
        common.append("QEMU status %s, expected %d (%s.log)" % (status, EXIT_OK, name))
    if any(l.startswith("KERNEL PANIC") for l in lines):
        common.append("kernel panic")
    # The guest's clock runs at the rate the kernel measured at boot.
    tsc = [m.group(1) for m in (re.search(r"TSC (\d+) MHz", l) for l in lines) if m]
    results = {}
    for c in cases:
        why = list(common)
        prefix = "[%s] " % c["name"]
        mine = [l[len(prefix):] for l in lines if l.startswith(prefix)]
        got = [l for l in mine if not l.startswith("guest-stub: ")]
        statuses = [m for m in (STATUS.match(l) for l in mine) if m]
        try:
            want, want_status = native(args.rootfs, c["argv"])
        except (OSError, subprocess.TimeoutExpired) as e:
            results[c["name"]] = why + ["native run failed: %s" % e]
            continue
        want = [printable(l) for l in want]
        if got != want:
            for i in range(max(len(got), len(want))):
                g = got[i] if i < len(got) else "<none>"
                w = want[i] if i < len(want) else "<none>"
                if g != w:
                    why.append("line %d: guest %r, native %r" % (i + 1, g, w))
                    break
        if len(statuses) != 1:
            why.append("%d status lines from the guest kernel" % len(statuses))
        else:
            kind = "exit" if statuses[0].group(1).startswith("exited") else "signal"
            got_status = "%s %s" % (kind, statuses[0].group(2))
            if got_status != want_status:
                why.append("guest %s, native %s" % (got_status, want_status))
        if not any(re.match(r"^vmm: guest '%s' exited with status" % re.escape(c["name"]), l)
                   for l in lines):
            why.append("the guest kernel did not exit through the VMM")
        if any(re.match(r"^vmm: guest '%s' crashed" % re.escape(c["name"]), l) for l in lines):
            why.append("the guest kernel crashed")
        clock = [m.group(1) for m in (CLOCK.match(l) for l in mine) if m]
        if len(tsc) != 1 or clock != tsc:
            why.append("guest clock at %s MHz, kernel's measure %s" % (clock, tsc))
        leaks = [l for l in mine if "not given back" in l]
        if leaks:
            why.append(leaks[0])
        for rule in c["rules"]:
            _, n, regex = rule.split(":", 2)
            k = sum(1 for l in mine if re.search(regex, l))
            if k != int(n):
                why.append("%d lines match %r, expected %s" % (k, regex, n))
        results[c["name"]] = why
    return results


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kernel", "--vmm", "--guest", "--initrd", "--rootfs", "--cases", "--build-dir"):
        ap.add_argument(a, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--log-dir", default="build/logs/guest-diff")
    ap.add_argument("--counts")
    args = ap.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    os.makedirs(args.build_dir, exist_ok=True)
    cases = load_cases(args.cases)
    groups = [cases[i:i + PER_BOOT] for i in range(0, len(cases), PER_BOOT)]
    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        for r in ex.map(lambda ig: boot(args, ig[0], ig[1]), enumerate(groups)):
            results.update(r)
    return report("guest-diff", [(c["name"], results[c["name"]]) for c in cases], args.counts)


if __name__ == "__main__":
    raise SystemExit(main())
