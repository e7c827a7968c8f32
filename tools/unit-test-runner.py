#!/usr/bin/env python3
"""Run host unit tests (cmocka programs) and count their results.

    tools/unit-test-runner.py [--jobs N] [--log-dir DIR] [--counts FILE] [--timeout S] BIN...

Each program runs with CMOCKA_MESSAGE_OUTPUT=TAP, so its standard output holds one line per
test case ("ok 1 - name", "not ok 2 - name", "not ok 3 # SKIP name") and a plan "1..N" per
group.  The counts come from those lines.  A program that dies, times out, exits non-zero
without a failing test, runs fewer cases than its plans announce, or runs none at all adds one
failure named "<program>:harness".  stdout and stderr (sanitizer reports, cmocka's messages)
go to <log-dir>/<program>.log.  --counts FILE receives "passed failed skipped".
Exit status: 0 if nothing failed.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PLAN_RE = re.compile(r"^1\.\.(\d+)")
RESULT_RE = re.compile(r"^(ok|not ok)\s+\d+\s*(.*)$")
SKIP_RE = re.compile(r"#\s*SKIP\b\s*(.*)$", re.IGNORECASE)
SANITIZER_RE = re.compile(r"ERROR: \w+Sanitizer|runtime error:")

print_lock = threading.Lock()


def interesting(stderr, count=25):
    """A sanitizer report from its first line; otherwise the last lines."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if SANITIZER_RE.search(line):
            return lines[i:i + count]
    return lines[-count:]


def display_name(binary):
    path = os.path.relpath(binary, os.path.join(REPO, "build", "unit"))
    return path if not path.startswith("..") else os.path.relpath(binary)


def run_one(binary, log_dir, timeout):
    name = display_name(binary)
    env = dict(os.environ, CMOCKA_MESSAGE_OUTPUT="TAP")
    env.setdefault("ASAN_OPTIONS", "abort_on_error=0")
    problems = []
    try:
        proc = subprocess.run([binary], stdin=subprocess.DEVNULL, capture_output=True,
                              timeout=timeout, env=env)
        stdout, stderr, status = proc.stdout, proc.stderr, proc.returncode
    except subprocess.TimeoutExpired as e:
        stdout, stderr, status = e.stdout or b"", e.stderr or b"", None
        problems.append("timeout after %gs" % timeout)
    except OSError as e:
        stdout, stderr, status = b"", str(e).encode(), None
        problems.append("cannot run: %s" % e)

    log_path = os.path.join(log_dir, name.replace("/", "__") + ".log")
    with open(log_path, "wb") as log:
        log.write(stdout + b"\n---- stderr\n" + stderr)

    passed = failed = skipped = planned = 0
    out = []
    for line in stdout.decode("utf-8", errors="replace").splitlines():
        line = line.rstrip()
        m = PLAN_RE.match(line)
        if m:
            planned += int(m.group(1))
            continue
        m = RESULT_RE.match(line)
        if not m:
            continue
        verdict, rest = m.groups()
        skip = SKIP_RE.search(rest)
        test = (skip.group(1) if skip else rest.lstrip("- ")).strip()
        if skip:
            skipped += 1
            out.append("  SKIP %s/%s" % (name, test))
        elif verdict == "ok":
            passed += 1
            out.append("  PASS %s/%s" % (name, test))
        else:
            failed += 1
            out.append("  FAIL %s/%s" % (name, test))

    ran = passed + failed + skipped
    if status is not None and status < 0:
        problems.append("killed by signal %d" % -status)
    elif status not in (None, 0) and failed == 0:
        problems.append("exit status %d without a failed test" % status)
    if ran < planned:
        problems.append("ran %d of %d planned tests" % (ran, planned))
    if ran == 0 and not problems:
        problems.append("no test results (is it a cmocka program?)")
    if problems:
        failed += 1
        out.append("  FAIL %s:harness: %s" % (name, "; ".join(problems)))
        out.append("  ---- stderr (%s)" % os.path.relpath(log_path))
        out += ["  | " + l for l in interesting(stderr.decode("utf-8", errors="replace"))]
    with print_lock:
        print("\n".join(out), flush=True)
    return passed, failed, skipped


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("binaries", nargs="*", metavar="BIN")
    ap.add_argument("--jobs", "-j", type=int, default=2)
    ap.add_argument("--log-dir", default=os.path.join(REPO, "build", "logs", "unit"))
    ap.add_argument("--counts", help="write 'passed failed skipped' here")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per program")
    args = ap.parse_args()

    os.makedirs(args.log_dir, exist_ok=True)
    if args.counts:
        if os.path.exists(args.counts):
            os.remove(args.counts)
        os.makedirs(os.path.dirname(os.path.abspath(args.counts)), exist_ok=True)

    print("== host unit tests (%d program(s))" % len(args.binaries), flush=True)
    passed = failed = skipped = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        for p, f, s in pool.map(lambda b: run_one(b, args.log_dir, args.timeout),
                                args.binaries):
            passed, failed, skipped = passed + p, failed + f, skipped + s

    print("== unit: %d passed, %d failed, %d skipped" % (passed, failed, skipped), flush=True)
    if args.counts:
        with open(args.counts, "w") as f:
            f.write("%d %d %d\n" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
