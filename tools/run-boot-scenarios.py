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

Prints "PASS robust/<name>" or "FAIL robust/<name>: <reasons>" with the log's last lines, and
a summary; logs are <log-dir>/<name>.log.  --counts FILE receives "passed failed skipped".
Exit status 0 if nothing failed.  Only the kernel's own messages are judged here: the boot
suite's TEST lines are judged by its runs under tools/run-system-test.py.
"""

import argparse
import concurrent.futures
import configparser
import os
import shlex
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


def judge(sc, lines, status):
    problems = []
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
    return sc, judge(sc, lines, status), [l for l in lines if l][-15:], elapsed


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
