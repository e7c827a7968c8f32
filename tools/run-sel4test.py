#!/usr/bin/env python3
"""Run seL4's own test suite (sel4test, prebuilt in ../shared/sel4) on our kernels and count it.

    tools/run-sel4test.py [--shared DIR] [--jobs N] [--log-dir DIR] [--counts FILE] KERNEL...

For each kernel, DIR/run.sh boots seL4's sel4test driver on it under seL4's QEMU flags
(../shared/sel4/README.md); nothing of DIR is copied anywhere but run.sh's own image cache.
The driver prints "Starting test N: NAME" per test, "Test NAME passed" for those it runs in a
child process, and at the end "Test suite passed. P tests passed. D tests disabled." or
"Test suite failed. P/T tests passed.".

Each of seL4's tests counts as one of ours.  A suite that passed counts its P passes; one that
failed counts P passes and T - P failures; one that hung, crashed or timed out counts the
tests it saw pass and the rest of EXPECTED (seL4's 125) as failures, at least one.  Failing
and unfinished tests are listed by name.  Without DIR/run.sh the run is skipped with one line
(counts "0 0 1").  --counts FILE receives "passed failed skipped".  Exit status: 0 if nothing
failed.
"""

import argparse
import concurrent.futures
import os
import re
import subprocess
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# sel4test at the commit ../shared/sel4 names runs 125 tests in its simulation configuration.
EXPECTED = 125
STARTED_RE = re.compile(r"Starting test (\d+): (.+?)\s*$")
RESULT_RE = re.compile(r"Test (\S+) (passed|failed|FAILED)\b")
SUITE_PASSED_RE = re.compile(r"Test suite passed\. (\d+) tests passed\.")
SUITE_FAILED_RE = re.compile(r"Test suite failed\. (\d+)/(\d+) tests passed\.")


def judge(log_text):
    """(passed, failed, names of failed or unfinished tests, verdict) from a driver log."""
    started, outcome = [], {}
    for line in log_text.splitlines():
        m = STARTED_RE.search(line)
        if m and m.group(2) not in outcome:
            started.append(m.group(2))
            outcome[m.group(2)] = None
        m = RESULT_RE.search(line)
        if m:
            outcome[m.group(1)] = m.group(2) == "passed"
    bad = [n for n in started if outcome.get(n) is False]
    m = SUITE_PASSED_RE.search(log_text)
    if m:
        return int(m.group(1)), 0, [], "suite passed"
    m = SUITE_FAILED_RE.search(log_text)
    if m:
        p, t = int(m.group(1)), int(m.group(2))
        return p, max(t - p, 1), bad, "suite failed"
    seen = sum(1 for n in started if outcome.get(n))
    unfinished = [n for n in started if outcome.get(n) is None]
    return seen, max(EXPECTED - seen, 1), bad + unfinished[-1:], "suite did not finish"


def run_one(run_sh, kernel, log_dir):
    variant = os.path.basename(os.path.dirname(os.path.abspath(kernel)))
    log = os.path.join(log_dir, variant + ".log")
    proc = subprocess.run([run_sh, "test", os.path.abspath(kernel), log],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        with open(log, errors="replace") as f:
            text = f.read()
    except OSError:
        text = ""
    p, f, bad, verdict = judge(text)
    return variant, p, f, bad, verdict, proc.stdout.strip(), log


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("kernels", nargs="+")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared", "sel4"))
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--log-dir", default=os.path.join(REPO, "build", "logs", "sel4test"))
    ap.add_argument("--counts")
    args = ap.parse_args()

    os.makedirs(args.log_dir, exist_ok=True)
    run_sh = os.path.join(args.shared, "run.sh")
    if not os.access(run_sh, os.X_OK):
        print(f"== sel4test: skipped, {args.shared} is absent (seL4's prebuilt test suite)")
        if args.counts:
            with open(args.counts, "w") as f:
                f.write("0 0 1\n")
        return 0
    # run.sh unpacks its images on every start; do it once before runs overlap.
    subprocess.run([run_sh, "unpack-only"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    total_p = total_f = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(args.jobs, 1)) as pool:
        futures = [pool.submit(run_one, run_sh, k, args.log_dir) for k in args.kernels]
        for fut in futures:
            variant, p, f, bad, verdict, said, log = fut.result()
            total_p += p
            total_f += f
            for name in bad:
                print(f"  FAIL sel4test[{variant}]/{name}")
            print(f"SUITE sel4test[{variant}] passed={p} failed={f} skipped=0 ({verdict}; "
                  f"run.sh: {said})")
    print(f"== sel4test: {total_p} passed, {total_f} failed, 0 skipped")
    if args.counts:
        with open(args.counts, "w") as f:
            f.write(f"{total_p} {total_f} 0\n")
    return 1 if total_f else 0


if __name__ == "__main__":
    sys.exit(main())
