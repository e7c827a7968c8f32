#!/usr/bin/env python3
"""Boot the real VMM under QEMU with whole configurations and judge what it prints.

    tools/run-vmm-systests.py --kernel K --vmm VMM --guest GUEST --dir tests/vmm/systems
                              --build-dir build/tests/vmm/systems [--initrd INITRAMFS]
                              [--jobs N] [--log-dir DIR] [--counts FILE]

Each tests/vmm/systems/<name>.dts (compiled to <build-dir>/<name>.dtb) boots once with the
guest stub as its only other module, and the initramfs after it when the configuration names
"initramfs.cpio" (guests running Linux programs); its console-script drives destroy, restart
and list.
<name>.expect holds one check per line, fields separated by tabs:

    count  N  REGEX     exactly N console lines match REGEX (re.search)
    never  REGEX        no line matches
    same   REGEX        at least two lines match, and REGEX's first group has the same value
                        in all of them (memory accounting: before equals after, exactly)
    alike  A  B         guests A and B printed the same lines in the same order (less the
                        "[name] " prefix and the guest kernel's own "guest-stub: " lines),
                        and some: the same program under two policies
    sameas OTHER REGEX  the lines matching REGEX (their first group, if it has one) are the
                        same, in the same order, as in the run of OTHER.dts, and there is at
                        least one (a victim's console beside an attacker and beside a quiet
                        neighbour; the free pool after the neighbour is destroyed)

If <name>.input exists, its bytes are typed into COM1 (QEMU's stdin) once the VMM prints
"vmm: interactive console" (the configuration's script ends in `interactive`). A line
"#after REGEX" is not typed: what follows it waits for a console line matching REGEX (a
guest far enough into its work; a shell's output before the next keystrokes), after the
console opened and after what came before was typed. Control keys are raw bytes in the file.

A run also fails without a clean halt (QEMU status 33) or with a kernel panic.
Prints "TEST vmm-system/<name> PASS|FAIL <why>"; --counts FILE gets "passed failed skipped".
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import threading
from testreport import report

EXIT_OK = 33
INTERACTIVE = b"vmm: interactive console"
TIMEOUT = 120
# COM1 is the console; a second serial port (COM2, -serial null) is there for guests given
# its ports and line 3 (tests/vmm/systems/interrupts.dts).
QEMU_ARGS = ["-m", "128M", "-display", "none", "-serial", "stdio", "-serial", "null",
             "-monitor", "none", "-no-reboot", "-device",
             "isa-debug-exit,iobase=0xf4,iosize=0x04"]


def check(rule, lines):
    """The reason a rule fails on the console lines, or None."""
    kind = rule[0]
    if kind == "count":
        n = sum(1 for l in lines if re.search(rule[2], l))
        return None if n == int(rule[1]) else "%d lines match %r, expected %s" % (n, rule[2], rule[1])
    if kind == "never":
        bad = [l for l in lines if re.search(rule[1], l)]
        return None if not bad else "%r matches %r" % (rule[1], bad[0])
    if kind == "same":
        vals = [m.group(1) for m in (re.search(rule[1], l) for l in lines) if m]
        if len(vals) < 2:
            return "fewer than two lines match %r" % rule[1]
        return None if len(set(vals)) == 1 else "%r differs: %s" % (rule[1], ", ".join(vals))
    if kind == "alike":
        a, b = (program_lines(g, lines) for g in rule[1:3])
        if not a:
            return "guest %s printed nothing of its program" % rule[1]
        return None if a == b else "%s and %s differ: %r vs %r" % (
            rule[1], rule[2], next((x, y) for x, y in zip(a + [None], b + [None]) if x != y),
            len(a) - len(b))
    return "unknown rule %r" % kind


def program_lines(guest, lines):
    """Guest's console lines, less its prefix and its guest kernel's own lines."""
    prefix = "[%s] " % guest
    return [l[len(prefix):] for l in lines
            if l.startswith(prefix) and not l[len(prefix):].startswith("guest-stub: ")]


def matches(regex, lines):
    """What REGEX matches in each line it matches: its first group, or the whole line."""
    out = []
    for l in lines:
        m = re.search(regex, l)
        if m:
            out.append(m.group(1) if m.groups() else l)
    return out


def check_sameas(rule, lines, others):
    """The reason a sameas rule fails against the other run's lines, or None."""
    other, regex = rule[1], rule[2]
    if other not in others:
        return "sameas: no run of %s.dts" % other
    mine, theirs = matches(regex, lines), matches(regex, others[other])
    if not mine:
        return "sameas: no line matches %r" % regex
    if mine == theirs:
        return None
    for i, (x, y) in enumerate(zip(mine, theirs)):
        if x != y:
            return "sameas %s: match %d of %r differs: %r here, %r there" % (other, i + 1,
                                                                            regex, x, y)
    return "sameas %s: %d matches of %r here, %d there" % (other, len(mine), regex,
                                                            len(theirs))


def segments(typed):
    """[(REGEX or None, bytes)]: each part of an .input file with the line it waits for."""
    parts, after, cur = [], None, b""
    for line in typed.splitlines(keepends=True):
        if line.startswith(b"#after "):
            if cur or after is not None:
                parts.append((after, cur))
            after, cur = line[len(b"#after "):].rstrip(b"\r\n").decode(), b""
        else:
            cur += line
    if cur or after is not None:
        parts.append((after, cur))
    return parts


def run_qemu(cmd, typed):
    """QEMU's console output and exit status. With typed bytes, they go to its stdin (COM1
    under -serial stdio) once the VMM says its interactive console is open, each part of
    them once its #after line has been seen."""
    if typed is None:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=TIMEOUT)
            return p.stdout.decode("utf-8", "replace"), p.returncode
        except subprocess.TimeoutExpired as e:
            return (e.stdout or b"").decode("utf-8", "replace"), "timeout"
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    out = []
    opened = False
    todo = segments(typed)
    for raw in proc.stdout:
        out.append(raw)
        opened = opened or INTERACTIVE in raw
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if opened and todo and (todo[0][0] is None or re.search(todo[0][0], line)):
            proc.stdin.write(todo.pop(0)[1])     # one line releases one part
            proc.stdin.flush()
    status = proc.wait()
    timed_out = not timer.is_alive()
    timer.cancel()
    return b"".join(out).decode("utf-8", "replace"), "timeout" if timed_out else status


def run_one(args, dts):
    name = os.path.splitext(os.path.basename(dts))[0]
    dtb = os.path.join(args.build_dir, name + ".dtb")
    rules = [l.rstrip("\n").split("\t") for l in open(os.path.splitext(dts)[0] + ".expect")
             if l.strip() and not l.startswith("#")]
    modules = [args.vmm, dtb, args.guest]
    if "initramfs.cpio" in open(dts).read():
        if not args.initrd:
            return name, ["the configuration names initramfs.cpio: --initrd needed"], [], []
        modules.append(args.initrd)
    cmd = ["qemu-system-i386", "-kernel", args.kernel, "-initrd", ",".join(modules)] + QEMU_ARGS
    typed_path = os.path.splitext(dts)[0] + ".input"
    typed = open(typed_path, "rb").read() if os.path.exists(typed_path) else None
    out, status = run_qemu(cmd, typed)
    with open(os.path.join(args.log_dir, name + ".log"), "w") as f:
        f.write(out)
    lines = out.splitlines()
    why = [r for r in (check(rule, lines) for rule in rules if rule[0] != "sameas") if r]
    if status != EXIT_OK:
        why.append("QEMU status %s, expected %d" % (status, EXIT_OK))
    if any(l.startswith("KERNEL PANIC") for l in lines):
        why.append("kernel panic")
    if any(l.startswith("INVARIANT VIOLATED") for l in lines):
        why.append("kernel invariant violated")
    return name, why, lines, [r for r in rules if r[0] == "sameas"]


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kernel", "--vmm", "--guest", "--dir", "--build-dir"):
        ap.add_argument(a, required=True)
    ap.add_argument("--initrd")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--log-dir", default="build/logs/vmm-system")
    ap.add_argument("--counts")
    args = ap.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    tests = sorted(glob.glob(os.path.join(args.dir, "*.dts")))
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        runs = list(ex.map(lambda t: run_one(args, t), tests))
    others = {name: lines for name, _, lines, _ in runs}
    results = []
    for name, why, lines, cross in runs:
        why += [r for r in (check_sameas(rule, lines, others) for rule in cross) if r]
        results.append((name, why))
    return report("vmm-system", results, args.counts)


if __name__ == "__main__":
    raise SystemExit(main())
