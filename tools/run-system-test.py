#!/usr/bin/env python3
"""Run system-test suites: boot a kernel with a suite's root task under QEMU and judge the log.

    tools/run-system-test.py KERNEL SUITE_ELF [SUITE_ELF ...] [--jobs N] [--log-dir DIR]
                             [--counts FILE] [--timeout S] [--qemu QEMU]

A suite root task reports on the serial console, one line each:

    TEST <name> PASS
    TEST <name> FAIL <reason>
    TEST <name> SKIP <reason>
    TESTS DONE

then calls DebugHalt, whose debug-kernel implementation writes 0x10 to port 0xf4
(isa-debug-exit), so QEMU exits with status 33.  A kernel panic prints a line starting
"KERNEL PANIC" and writes 0x7e (status 253).

Every PASS/FAIL/SKIP line counts.  A run that times out, lacks TESTS DONE, shows a KERNEL
PANIC or an "INVARIANT VIOLATED" line (the debug kernel's invariant checker), reports no tests at all or ends with the wrong exit status adds one more failure named
"<run>:harness" with the reasons.

tests/system/<suite>/suite.conf, if present, holds "key = value" lines ('#' starts a comment):
    qemu_args   = -m 32M        extra QEMU arguments; may repeat: one run per line, named
                                <suite>[<args>]
    timeout     = 60            seconds per run (default 60)
    modules     = a.elf b.elf   extra multiboot modules after the root task (paths from the
                                repository root)
    expect_exit = 33            expected QEMU exit status (default 33)
    release     = <reason>      with --release (a release kernel), the suite is not booted
                                but counted as one SKIP naming the reason
    serial_input = text         bytes typed into the guest's COM1: sent to QEMU's stdin
                                (the serial port under -serial stdio) each time a line
                                "SERIAL INPUT READY" appears on the console; backslash
                                escapes (\\n, \\x23 for '#') are decoded.  Without the key
                                QEMU's stdin is /dev/null.

--release runs on a release kernel, which has no DebugHalt: QEMU is stopped as soon as the log
shows TESTS DONE, which then stands for the exit status.

Serial output goes to <log-dir>/<run>.log (default build/logs/<kernel-variant>/, the variant
being the kernel's directory name).  Per-test results are printed, then per run
"SUITE <run> passed=N failed=M skipped=K", then a total.  --counts FILE receives the totals as
"passed failed skipped".  Exit status: 0 if nothing failed.
"""

import argparse
import concurrent.futures
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

EXIT_OK = 33
DEFAULT_TIMEOUT = 60
QEMU_BASE = ["-display", "none", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
DEFAULT_MEMORY = ["-m", "128M"]
# The virtual clock follows executed instructions (one tick each), so timer
# interrupts land at the same point of a test on every run and on any host:
# tests of scheduling order and time slices are deterministic, never flaky.
DEFAULT_ICOUNT = ["-icount", "shift=0,sleep=off"]
CONF_KEYS = {"qemu_args", "timeout", "modules", "expect_exit", "serial_input", "release"}
# --release: a release kernel has no DebugHalt, so QEMU is stopped once the log shows
# TESTS DONE; this stands for the exit status then. Polled this often (seconds).
STOPPED_AFTER_DONE = "stopped after TESTS DONE"
DONE_POLL = 0.2
# The line after which a suite with serial_input gets its input (again).
SERIAL_READY = b"SERIAL INPUT READY"

TEST_RE = re.compile(r"^TEST\s+(\S+)\s+(PASS|FAIL|SKIP)\b\s*(.*)$")
DONE_RE = re.compile(r"^TESTS DONE\s*$")
PANIC_RE = re.compile(r"^KERNEL PANIC")
# The debug kernel's invariant checker reports a violation on such a line and
# returns its code instead of panicking (kernel/include/abi/invariant.h); a
# run that shows one fails even if no test looked at the code.
INVARIANT_RE = re.compile(r"^INVARIANT VIOLATED")

print_lock = threading.Lock()


class ConfError(Exception):
    pass


class Run:
    """One boot of one suite: its name, QEMU arguments and expectations."""

    def __init__(self, suite, elf, extra_args, timeout, modules, expect_exit, serial_input=None):
        self.suite = suite
        self.serial_input = serial_input
        self.elf = elf
        self.extra_args = extra_args
        self.timeout = timeout
        self.modules = modules
        self.expect_exit = expect_exit
        self.name = suite if not extra_args else "%s[%s]" % (suite, " ".join(extra_args))

    def log_name(self):
        return re.sub(r"[^A-Za-z0-9_.=+-]", "_", self.name) + ".log"


def read_conf(path):
    """suite.conf as a dict of key -> list of values (keys may repeat)."""
    conf = {}
    if not os.path.exists(path):
        return conf
    with open(path) as f:
        for lineno, line in enumerate(f, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            if "=" not in line:
                raise ConfError("%s:%d: expected 'key = value'" % (path, lineno))
            key, value = (part.strip() for part in line.split("=", 1))
            if key not in CONF_KEYS:
                raise ConfError("%s:%d: unknown key '%s'" % (path, lineno, key))
            conf.setdefault(key, []).append(value)
    return conf


def runs_for(elf, conf_path, default_timeout):
    suite = os.path.splitext(os.path.basename(elf))[0]
    conf = read_conf(conf_path)
    try:
        timeout = float(conf.get("timeout", [default_timeout])[-1])
        expect_exit = int(conf.get("expect_exit", [str(EXIT_OK)])[-1], 0)
    except ValueError as e:
        raise ConfError("%s: %s" % (conf_path, e))
    modules = []
    for value in conf.get("modules", []):
        modules += [m if os.path.isabs(m) else os.path.join(REPO, m) for m in value.split()]
    serial_input = None
    if "serial_input" in conf:
        try:
            serial_input = (conf["serial_input"][-1].encode("latin-1")
                            .decode("unicode_escape").encode("latin-1"))
        except (UnicodeError, ValueError) as e:
            raise ConfError("%s: serial_input: %s" % (conf_path, e))
        if not serial_input:
            raise ConfError("%s: serial_input is empty" % conf_path)
    arg_sets = [shlex.split(a) for a in conf.get("qemu_args", [])] or [[]]
    return [Run(suite, elf, args, timeout, modules, expect_exit, serial_input)
            for args in arg_sets]


def qemu_command(qemu, kernel, run):
    memory = [] if "-m" in run.extra_args else DEFAULT_MEMORY
    icount = [] if "-icount" in run.extra_args else DEFAULT_ICOUNT
    initrd = ",".join([run.elf] + run.modules)
    return ([qemu, "-kernel", kernel, "-initrd", initrd] + memory + icount + QEMU_BASE
            + run.extra_args)


def feed_serial(proc, log, text):
    """Copies QEMU's console to log; writes text to its stdin after each ready line."""
    line = b""
    while True:
        chunk = os.read(proc.stdout.fileno(), 4096)
        if not chunk:
            break
        log.write(chunk)
        log.flush()
        line += chunk
        *complete, line = re.split(rb"[\r\n]", line)
        for l in complete:
            if l.strip() == SERIAL_READY:
                try:
                    proc.stdin.write(text)
                    proc.stdin.flush()
                except OSError:         # QEMU is gone; its exit status tells
                    pass


def log_shows_done(log_path):
    with open(log_path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    return any(DONE_RE.match(l.strip()) for l in text.replace("\r", "\n").split("\n"))


def wait(proc, timeout, log_path, stop_at_done):
    """QEMU's exit status; STOPPED_AFTER_DONE once the log shows TESTS DONE if stop_at_done."""
    if not stop_at_done:
        return proc.wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            return proc.wait(timeout=DONE_POLL)
        except subprocess.TimeoutExpired:
            if log_shows_done(log_path):
                proc.send_signal(signal.SIGTERM)
                proc.wait()
                return STOPPED_AFTER_DONE
            if time.monotonic() > deadline:
                raise


def boot(cmd, log_path, timeout, serial_input=None, stop_at_done=False):
    """Runs QEMU with its console in log_path; returns (exit status or None, seconds)."""
    start = time.monotonic()
    with open(log_path, "wb") as log:
        if serial_input is None:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            feeder = None
        else:
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.STDOUT, start_new_session=True)
            feeder = threading.Thread(target=feed_serial, args=(proc, log, serial_input))
            feeder.start()
        try:
            status = wait(proc, timeout, log_path, stop_at_done)
        except subprocess.TimeoutExpired:
            status = None
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if feeder is not None:
            feeder.join()
            proc.stdin.close()
            proc.stdout.close()
    return status, time.monotonic() - start


def judge(run, log_path, status, elapsed):
    """Parses the log; returns (passed, failed, skipped, lines to print)."""
    with open(log_path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    lines = [l.strip() for l in text.replace("\r", "\n").split("\n")]
    passed = failed = skipped = 0
    out = []
    done = False
    panic = None
    violation = None
    for line in lines:
        m = TEST_RE.match(line)
        if m:
            name, result, reason = m.groups()
            if result == "PASS":
                passed += 1
            elif result == "FAIL":
                failed += 1
            else:
                skipped += 1
            out.append("  %-4s %s/%s%s" % (result, run.name, name,
                                           ": " + reason if reason else ""))
        elif DONE_RE.match(line):
            done = True
        elif PANIC_RE.match(line) and panic is None:
            panic = line
        elif INVARIANT_RE.match(line) and violation is None:
            violation = line
    problems = []
    if status is None:
        problems.append("timeout after %gs" % run.timeout)
    if panic:
        problems.append(panic)
    if violation:
        problems.append(violation)
    if not done:
        problems.append("no 'TESTS DONE'")
    if passed + failed + skipped == 0:
        problems.append("no TEST lines")
    if status is not None and status != run.expect_exit and status != STOPPED_AFTER_DONE:
        problems.append("exit status %d, expected %d" % (status, run.expect_exit))
    if problems:
        failed += 1
        out.append("  FAIL %s:harness: %s" % (run.name, "; ".join(problems)))
        tail = [l for l in lines if l][-25:]
        out.append("  ---- last lines of %s" % os.path.relpath(log_path))
        out += ["  | " + l for l in tail]
    out.append("SUITE %s passed=%d failed=%d skipped=%d (%.1fs)"
               % (run.name, passed, failed, skipped, elapsed))
    return passed, failed, skipped, out


def execute(args, kernel, run):
    log_path = os.path.join(args.log_dir, run.log_name())
    cmd = qemu_command(args.qemu, kernel, run)
    missing = [p for p in [run.elf] + run.modules if not os.path.exists(p)]
    if missing:
        out = ["  FAIL %s:harness: missing %s" % (run.name, " ".join(missing)),
               "SUITE %s passed=0 failed=1 skipped=0" % run.name]
        result = (0, 1, 0, out)
    else:
        status, elapsed = boot(cmd, log_path, run.timeout, run.serial_input, args.release)
        result = judge(run, log_path, status, elapsed)
    with print_lock:
        print("\n".join(result[3]), flush=True)
    return result[:3]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("kernel")
    ap.add_argument("suites", nargs="*", metavar="SUITE_ELF")
    ap.add_argument("--jobs", "-j", type=int, default=2, help="QEMUs at once (default 2)")
    ap.add_argument("--log-dir", help="default build/logs/<kernel variant>")
    ap.add_argument("--counts", help="write 'passed failed skipped' here")
    ap.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                    help="default per-run timeout when suite.conf has none")
    ap.add_argument("--conf-dir", default=os.path.join(REPO, "tests", "system"),
                    help="where <suite>/suite.conf lives")
    ap.add_argument("--qemu", default="qemu-system-i386")
    ap.add_argument("--release", action="store_true",
                    help="a release kernel: stop QEMU at TESTS DONE (no DebugHalt), and skip "
                         "suites whose suite.conf says release = <why not>")
    args = ap.parse_args()

    variant = os.path.basename(os.path.dirname(os.path.abspath(args.kernel)))
    if args.log_dir is None:
        args.log_dir = os.path.join(REPO, "build", "logs", variant)
    os.makedirs(args.log_dir, exist_ok=True)
    if args.counts:
        # A stale file must not survive a crash of this script.
        if os.path.exists(args.counts):
            os.remove(args.counts)
        os.makedirs(os.path.dirname(os.path.abspath(args.counts)), exist_ok=True)

    print("== system tests on %s (%d suite(s), %d at once)"
          % (os.path.relpath(args.kernel), len(args.suites), args.jobs), flush=True)
    passed = failed = skipped = 0
    runs = []
    if not os.path.exists(args.kernel):
        print("  FAIL %s:harness: kernel %s does not exist" % (variant, args.kernel))
        failed += 1
    else:
        for elf in args.suites:
            suite = os.path.splitext(os.path.basename(elf))[0]
            conf_path = os.path.join(args.conf_dir, suite, "suite.conf")
            try:
                why_not = read_conf(conf_path).get("release")
                if args.release and why_not:
                    print("  SKIP %s:release: %s" % (suite, why_not[-1]))
                    skipped += 1
                    continue
                runs += runs_for(elf, conf_path, args.timeout)
            except ConfError as e:
                print("  FAIL %s:harness: %s" % (suite, e))
                failed += 1

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for p, f, s in pool.map(lambda r: execute(args, args.kernel, r), runs):
            passed, failed, skipped = passed + p, failed + f, skipped + s

    print("== %s: %d passed, %d failed, %d skipped" % (variant, passed, failed, skipped),
          flush=True)
    if args.counts:
        with open(args.counts, "w") as f:
            f.write("%d %d %d\n" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
