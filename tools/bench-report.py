#!/usr/bin/env python3
"""Run the benchmark root task and turn its serial log into docs/bench/results.csv.

    tools/bench-report.py --kernel build/kernel-bench/kernel.elf
                          --root-task build/tests/bench/bench.elf --qemu-args "..."
                          --log build/logs/kernel-bench/bench.log --out docs/bench/results.csv
                          [--sel4 ../shared/bench/sel4-icount.tsv] [--timeout 600]

Without --kernel it only reads an existing --log.

The benchmark root task prints one line per operation, "BENCH <name> <instructions>", where
instructions come from rdtsc under `-icount shift=0,sleep=off` (one tick per guest
instruction), and "BENCH DONE" at the end.  The harness stops QEMU itself once it sees
"BENCH DONE" (the release kernel need not have DebugHalt); if QEMU exits first, it must exit
with status 33.  Names match the first column of sel4-icount.tsv
(name<TAB>instructions<TAB>what was measured) where the same operation was measured on seL4.

results.csv has columns name,ours,sel4,ratio (ratio = ours / sel4): first our rows in the order
printed, then the seL4 rows we do not measure yet (ours empty).  A missing seL4 file leaves
the sel4 and ratio columns empty.  results.md (a table) and results.png (a plot, when
matplotlib is there) go beside the CSV.  Exit status: non-zero if there is no BENCH line, no
"BENCH DONE", a KERNEL PANIC, a timeout or a wrong exit status; then the BENCH lines found are
printed but the files in docs/ are left as they were.
"""

import argparse
import csv
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

BENCH_RE = re.compile(r"^BENCH\s+(\S+)\s+(\d+)\s*$")
DONE_LINE = "BENCH DONE"
PANIC_RE = re.compile(r"^KERNEL PANIC")


def run_qemu(cmd, log_path, timeout):
    """Runs QEMU until it exits, prints BENCH DONE or times out.

    Returns (exit status or None, saw BENCH DONE, timed out)."""
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    done = threading.Event()

    def pump():
        pending = b""
        with open(log_path, "wb") as log:
            for chunk in iter(lambda: proc.stdout.read1(4096), b""):
                log.write(chunk)
                log.flush()
                pending += chunk
                *lines, pending = pending.replace(b"\r", b"\n").split(b"\n")
                if any(l.strip() == DONE_LINE.encode() for l in lines):
                    done.set()

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    timed_out = False
    while proc.poll() is None:
        if done.is_set():
            # Give DebugHalt a moment; a kernel without it idles forever.
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            break
        if time.monotonic() > deadline:
            timed_out = True
            break
        done.wait(0.1)
    status = proc.poll()
    if status is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    reader.join(timeout=5)
    return status, done.is_set(), timed_out


def read_log(path):
    """Returns ([(name, count)], the first KERNEL PANIC line or None, saw BENCH DONE)."""
    rows = []
    panic = None
    done = False
    with open(path, "rb") as f:
        for line in f.read().decode("utf-8", errors="replace").replace("\r", "\n").split("\n"):
            line = line.strip()
            m = BENCH_RE.match(line)
            if m:
                rows.append((m.group(1), int(m.group(2))))
            elif line == DONE_LINE:
                done = True
            elif PANIC_RE.match(line) and panic is None:
                panic = line
    return rows, panic, done


def read_sel4(path):
    ref = {}
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[1].strip().isdigit():
                ref[cols[0].strip()] = int(cols[1])
    return ref


def join(ours, sel4):
    sel4 = sel4 or {}
    rows = []
    seen = set()
    for name, count in ours:
        if name in seen:
            continue
        seen.add(name)
        ref = sel4.get(name)
        rows.append((name, count, ref, count / ref if ref else None))
    rows += [(name, None, ref, None) for name, ref in sel4.items() if name not in seen]
    return rows


def fmt(v, ratio=False):
    if v is None:
        return ""
    return "%.2f" % v if ratio else str(v)


def write_csv(path, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["name", "ours", "sel4", "ratio"])
        for name, ours, ref, ratio in rows:
            w.writerow([name, fmt(ours), fmt(ref), fmt(ratio, True)])


def write_markdown(path, rows):
    with open(path, "w") as f:
        f.write("# Benchmark results (guest instructions under QEMU -icount)\n\n")
        f.write("Generated by `make bench` (tools/bench-report.py); ratio = ours / seL4.\n\n")
        f.write("| operation | ours | seL4 | ratio |\n|---|---:|---:|---:|\n")
        for name, ours, ref, ratio in rows:
            f.write("| %s | %s | %s | %s |\n" % (name, fmt(ours), fmt(ref), fmt(ratio, True)))


def write_plot(path, rows):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("bench-report: matplotlib not available, no plot", file=sys.stderr)
        return
    both = [r for r in rows if r[1] is not None and r[2] is not None]
    if not both:
        return
    names = [r[0] for r in both]
    fig, ax = plt.subplots(figsize=(8, 0.35 * len(names) + 1.5))
    y = range(len(names))
    ax.barh([i - 0.2 for i in y], [r[1] for r in both], height=0.4, label="ours")
    ax.barh([i + 0.2 for i in y], [r[2] for r in both], height=0.4, label="seL4")
    ax.set_yticks(list(y))
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlabel("guest instructions (QEMU -icount)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--out", required=True, help="CSV path; .md and .png go beside it")
    ap.add_argument("--sel4", help="sel4-icount.tsv")
    ap.add_argument("--kernel", help="boot this kernel (else only read --log)")
    ap.add_argument("--root-task", help="benchmark root task (first multiboot module)")
    ap.add_argument("--qemu", default="qemu-system-i386")
    ap.add_argument("--qemu-args", default="", help="QEMU arguments, one string")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--expect-exit", type=int, default=33)
    args = ap.parse_args()

    errors = []
    if args.kernel:
        os.makedirs(os.path.dirname(os.path.abspath(args.log)), exist_ok=True)
        cmd = ([args.qemu, "-kernel", args.kernel, "-initrd", args.root_task]
               + shlex.split(args.qemu_args))
        print("bench-report: %s" % " ".join(shlex.quote(c) for c in cmd), flush=True)
        start = time.monotonic()
        status, _, timed_out = run_qemu(cmd, args.log, args.timeout)
        print("bench-report: QEMU ran %.1fs" % (time.monotonic() - start), flush=True)
        if timed_out:
            errors.append("timeout after %gs" % args.timeout)
        elif status is not None and status != args.expect_exit:
            errors.append("QEMU exit status %d, expected %d" % (status, args.expect_exit))

    ours, panic, done = read_log(args.log) if os.path.exists(args.log) else ([], None, False)
    sel4 = read_sel4(args.sel4)
    if sel4 is None:
        print("bench-report: no seL4 reference at %s; sel4/ratio columns left empty"
              % args.sel4, file=sys.stderr)
    for name, count in ours:
        print("BENCH %s %d" % (name, count))

    if panic:
        errors.append(panic)
    if not done:
        errors.append("no '%s' line" % DONE_LINE)
    if not ours:
        errors.append("no BENCH lines in %s" % args.log)

    if errors:
        print("bench-report: %s not updated: the run was incomplete" % args.out, file=sys.stderr)
    else:
        rows = join(ours, sel4)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        base = os.path.splitext(args.out)[0]
        write_csv(args.out, rows)
        write_markdown(base + ".md", rows)
        write_plot(base + ".png", rows)
        print("bench-report: wrote %s (%d measured, %d with a seL4 figure)"
              % (args.out, len(ours), sum(1 for r in rows if r[1] and r[2])))

    for e in errors:
        print("bench-report: error: " + e, file=sys.stderr)
    if errors and os.path.exists(args.log):
        with open(args.log, "rb") as f:
            tail = f.read().decode("utf-8", errors="replace").splitlines()[-25:]
        print("---- last lines of %s" % args.log, file=sys.stderr)
        for line in tail:
            print("| " + line, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
