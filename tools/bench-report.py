#!/usr/bin/env python3
"""Run the benchmark root task and turn its serial log into docs/bench/results.csv.

    tools/bench-report.py --kernel build/kernel-bench/kernel.elf
                          --root-task build/tests/bench/bench.elf --qemu-args "..."
                          --log build/logs/kernel-bench/bench.log --out docs/bench/results.csv
                          [--sel4 ../shared/bench/sel4-icount.tsv] [--timeout 600]

Without --kernel it only reads an existing --log.  With --kernel-irq it then boots that kernel
(the interrupt-latency-tracking build) with the same root task, logging to --log-irq (default:
--log with "-irq" before the extension); the root task measures only what needs that kernel
there, and those rows replace the first run's BENCH_SKIP lines of the same names.

The benchmark root task prints one line per operation, "BENCH <name> <instructions>", where
instructions come from rdtsc under `-icount shift=0,sleep=off` (one tick per guest
instruction), and "BENCH DONE" at the end.  The harness stops QEMU itself once it sees
"BENCH DONE" (the release kernel need not have DebugHalt); if QEMU exits first, it must exit
with status 33.  Names match the first column of sel4-icount.tsv
(name<TAB>instructions<TAB>what was measured) where the same operation was measured on seL4.

The root task may also print "BENCH_SKIP <name> <reason>" (a row it could not measure),
"BENCH_VARIES <name> <min> <max> <equal>/<samples>" (its samples were not all equal) and
"BENCH_NOTE <name> <text>"; the report lists them.

results.csv has columns name,ours,sel4,ratio (ratio = ours / sel4): first our rows in the order
printed, then skipped rows and the seL4 rows we do not measure (ours empty).  A missing seL4
file leaves the sel4 and ratio columns empty.  Beside the CSV go results.md (the table),
results.png (ours against seL4), README.md (the report: table with goals, growth rates from
least-squares fits, plots ipc_length.png, retype_batch.png, revoke.png, lookup_depth.png and
idle_threads.png, a user-level breakdown, skipped rows, then the hand-written method section
from --method, default docs/bench/method.md).  Exit status: non-zero if there is no BENCH line, no
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


SKIP_RE = re.compile(r"^BENCH_SKIP\s+(\S+)\s+(.*)$")
VARIES_RE = re.compile(r"^BENCH_VARIES\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)/(\d+)\s*$")
NOTE_RE = re.compile(r"^BENCH_NOTE\s+(\S+)\s+(.*)$")

# Rows whose goal is stricter than "at most seL4's count": name -> (limit, what it is).
FASTPATH_ROWS = ("ipc_call_same_as_len0", "ipc_call_cross_as_len0",
                 "ipc_replyrecv_same_as_len0", "ipc_replyrecv_cross_as_len0",
                 "ipc_call_cross_as_len0_fpu", "ipc_replyrecv_cross_as_len0_fpu")
FAULT_PATH_ROWS = ("unknown_syscall_roundtrip", "vmfault_roundtrip")
# Measurement overheads: shown, but no goal applies.
CONTEXT_ROWS = ("rdtsc_pair_overhead", "syscall_stub_overhead")


class Log:
    """What the benchmark root task printed."""

    def __init__(self):
        self.rows = []          # [(name, count)] in order, first occurrence wins
        self.skips = []         # [(name, reason)]
        self.varies = {}        # name -> (min, max, equal, samples)
        self.notes = []         # [(name, text)]
        self.panic = None
        self.done = False

    def value(self, name):
        for n, v in self.rows:
            if n == name:
                return v
        return None


def read_log(path):
    log = Log()
    seen = set()
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    for line in text.replace("\r", "\n").split("\n"):
        line = line.strip()
        m = BENCH_RE.match(line)
        if m:
            if m.group(1) not in seen:
                seen.add(m.group(1))
                log.rows.append((m.group(1), int(m.group(2))))
            continue
        m = SKIP_RE.match(line)
        if m:
            log.skips.append((m.group(1), m.group(2)))
            continue
        m = VARIES_RE.match(line)
        if m:
            log.varies[m.group(1)] = tuple(int(m.group(i)) for i in range(2, 6))
            continue
        m = NOTE_RE.match(line)
        if m:
            log.notes.append((m.group(1), m.group(2)))
        elif line == DONE_LINE:
            log.done = True
        elif PANIC_RE.match(line) and log.panic is None:
            log.panic = line
    return log


def read_sel4(path):
    """Returns ({name: instructions}, {name: what was measured}) or (None, None)."""
    ref, what = {}, {}
    if not path or not os.path.exists(path):
        return None, None
    with open(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 2 and cols[1].strip().isdigit():
                ref[cols[0].strip()] = int(cols[1])
                what[cols[0].strip()] = cols[2].strip() if len(cols) > 2 else ""
    return ref, what


def join(ours, sel4, skips=()):
    """[(name, ours, sel4, ratio)]: ours in order, then skipped rows, then seL4's
    rows we do not measure (ours None)."""
    sel4 = sel4 or {}
    rows = []
    seen = set()
    for name, count in ours:
        if name in seen:
            continue
        seen.add(name)
        ref = sel4.get(name)
        rows.append((name, count, ref, count / ref if ref else None))
    for name, _ in skips:
        if name not in seen:
            seen.add(name)
            rows.append((name, None, sel4.get(name), None))
    rows += [(name, None, ref, None) for name, ref in sel4.items() if name not in seen]
    return rows


def goal(name, ours, ref, sel4):
    """(limit or None, text for the goal column)."""
    if name in CONTEXT_ROWS:
        return None, "context only (not a kernel path)"
    if name == "notify_signal_wait":
        return None, ("not compared: seL4's figure times a blocking Wait and a switch to a "
                      "lower-priority thread, not our notify_signal_wakes_higher; sel4bench's "
                      "own row (Signal to thread of higher prio) is in the first table")
    if name in FASTPATH_ROWS and ref:
        limit = 0.8 * ref
        desc = "<= 0.8 x seL4"
    elif name == "fault_roundtrip" and ref:
        limit = 0.5 * ref
        desc = "<= 0.5 x seL4"
    elif name in FAULT_PATH_ROWS and sel4 and "fault_roundtrip" in sel4:
        limit = 0.5 * sel4["fault_roundtrip"]
        desc = "<= 0.5 x seL4 fault_roundtrip"
    elif ref:
        limit = ref
        desc = "<= seL4"
    else:
        return None, ""
    if ours is None:
        return limit, "%s: not measured" % desc
    return limit, "%s (%d): %s" % (desc, limit, "yes" if ours <= limit else "**no**")


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
        f.write("Generated by `make bench` (tools/bench-report.py); ratio = ours / seL4. "
                "The full report is README.md.\n\n")
        f.write("| operation | ours | seL4 | ratio |\n|---|---:|---:|---:|\n")
        for name, ours, ref, ratio in rows:
            f.write("| %s | %s | %s | %s |\n" % (name, fmt(ours), fmt(ref), fmt(ratio, True)))


# ---- fits and plots ----

def lsq(points):
    """Least-squares line through [(x, y)]: (intercept, slope) or None."""
    n = len(points)
    if n < 2:
        return None
    sx = sum(x for x, _ in points)
    sy = sum(y for _, y in points)
    sxx = sum(x * x for x, _ in points)
    sxy = sum(x * y for x, y in points)
    den = n * sxx - sx * sx
    if den == 0:
        return None
    b = (n * sxy - sx * sy) / den
    return (sy - b * sx) / n, b


def series(log, fmt_name, xs):
    pts = []
    for x in xs:
        v = log.value(fmt_name % x)
        if v is not None:
            pts.append((x, v))
    return pts


def plot_setup():
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        return plt
    except ImportError:
        print("bench-report: matplotlib not available, no plots", file=sys.stderr)
        return None


def line_plot(plt, path, title, xlabel, curves, refs=(), logx=False):
    """curves: [(label, [(x, y)], fit or None)]; refs: [(label, [(x, y)])]."""
    if plt is None or not any(pts for _, pts, _ in curves):
        return False
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for label, pts, fit in curves:
        if not pts:
            continue
        xs = [p[0] for p in pts]
        ax.plot(xs, [p[1] for p in pts], "o-", label=label)
        if fit:
            lo, hi = min(xs), max(xs)
            ax.plot([lo, hi], [fit[0] + fit[1] * lo, fit[0] + fit[1] * hi], "--", linewidth=0.8,
                    label="%s fit: %.1f + %.2f x" % (label, fit[0], fit[1]))
    for label, pts in refs:
        if pts:
            ax.plot([p[0] for p in pts], [p[1] for p in pts], "s", markersize=8, label=label)
    if logx:
        ax.set_xscale("log", base=2)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("guest instructions (QEMU -icount)")
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def write_plot(path, rows):
    """Overview: ours against seL4 for every row that has both."""
    plt = plot_setup()
    both = [r for r in rows if r[1] is not None and r[2] is not None]
    if plt is None or not both:
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


IPC_LENGTHS = list(range(0, 121, 10))
BATCHES = [1, 2, 4, 8, 16, 32]
REVOKE_OBJECTS = [1, 2, 4, 8, 16, 32, 64, 128, 256]
REVOKE_COPIES = [0, 1, 2, 4, 8, 16, 32, 64]
IDLE = [1, 100, 1000]


def shapes(log, sel4, outdir):
    """Makes the plots; returns [(title, png or None, [growth-rate sentences])]."""
    plt = plot_setup()
    sel4 = sel4 or {}
    out = []

    def ref_points(names_xs):
        return [(x, sel4[n]) for n, x in names_xs if n in sel4]

    # IPC against message length (cross address space). 0 is the fastpath case.
    call = series(log, "ipc_call_cross_as_len%d", IPC_LENGTHS)
    rr = series(log, "ipc_replyrecv_cross_as_len%d", IPC_LENGTHS)
    fc = lsq([p for p in call if p[0] >= 10])
    fr = lsq([p for p in rr if p[0] >= 10])
    png = "ipc_length.png" if line_plot(
        plt, os.path.join(outdir, "ipc_length.png"), "One-way IPC, cross address space",
        "message length (words)", [("Call", call, fc), ("ReplyRecv", rr, fr)],
        [("seL4 Call", ref_points([("ipc_call_cross_as_len0", 0), ("ipc_call_cross_as_len10", 10)])),
         ("seL4 ReplyRecv", ref_points([("ipc_replyrecv_cross_as_len0", 0),
                                        ("ipc_replyrecv_cross_as_len10", 10)]))]) else None
    text = []
    if fc:
        text.append("Call: %.2f instructions per message word (fit over 10..120 words; "
                    "intercept %.0f)." % (fc[1], fc[0]))
    if fr:
        text.append("ReplyRecv: %.2f instructions per word (intercept %.0f)." % (fr[1], fr[0]))
    if call and call[0][0] == 0 and len(call) > 1:
        text.append("Length 0 to 10: %+d instructions for Call (seL4: %s, its fastpath "
                    "against its slowpath)." % (call[1][1] - call[0][1],
                    "%+d" % (sel4["ipc_call_cross_as_len10"] - sel4["ipc_call_cross_as_len0"])
                    if "ipc_call_cross_as_len10" in sel4 and "ipc_call_cross_as_len0" in sel4
                    else "n/a"))
    out.append(("IPC cost against message length", png, text))

    # Retype cost per object against batch size.
    ep = series(log, "retype_batch_endpoint_%d", BATCHES)
    fr4 = series(log, "retype_batch_frame4k_%d", BATCHES)
    png = "retype_batch.png" if line_plot(
        plt, os.path.join(outdir, "retype_batch.png"), "Retype: cost per object against batch size",
        "objects per Retype call", [("endpoint (16 B, smallest)", ep, None),
                                    ("4 KiB frame", fr4, None)],
        [("seL4 4 KiB frame, 1 per call", ref_points([("retype_frame_4k", 1)]))], logx=True) \
        else None
    text = []
    for label, pts in (("endpoint", ep), ("4 KiB frame", fr4)):
        f = lsq([(x, x * y) for x, y in pts])
        if f:
            text.append("%s: a call costs %.0f + %.1f per object (fit of per-call totals, "
                        "per-object figures are rounded down)." % (label, f[0], f[1]))
    out.append(("Retype cost per object against batch size", png, text))

    # Revoke against objects and copies destroyed.
    ob = series(log, "revoke_objects_%d", REVOKE_OBJECTS)
    cp = series(log, "revoke_copies_%d", REVOKE_COPIES)
    fo, fcp = lsq(ob), lsq(cp)
    png = "revoke.png" if line_plot(
        plt, os.path.join(outdir, "revoke.png"), "Revoke of an untyped",
        "objects (endpoints) or further copies destroyed",
        [("n endpoints", ob, fo), ("1 endpoint + c copies", cp, fcp)]) else None
    text = []
    if fo:
        worst = max(abs(y - (fo[0] + fo[1] * x)) / y for x, y in ob)
        text.append("Per object: %.1f instructions, fixed %.0f; largest deviation from the "
                    "line %.1f%% (linear)." % (fo[1], fo[0], 100 * worst))
    if fcp:
        worst = max(abs(y - (fcp[0] + fcp[1] * x)) / y for x, y in cp)
        text.append("Per further copy: %.1f instructions; largest deviation %.1f%%."
                    % (fcp[1], 100 * worst))
    out.append(("Revoke cost against what it destroys", png, text))

    # Lookup against CSpace depth.
    lk = series(log, "cap_lookup_level%d", [1, 2, 3])
    fl = lsq(lk)
    png = "lookup_depth.png" if line_plot(
        plt, os.path.join(outdir, "lookup_depth.png"),
        "Send on a notification whose capability is n CNodes deep", "CNode levels",
        [("Signal (Send) system call", lk, fl)]) else None
    text = ["Per level: %.1f instructions (whole system call at one level: %d)."
            % (fl[1], lk[0][1])] if fl else []
    out.append(("Capability lookup against CSpace depth", png, text))

    # IPC against the number of idle threads.
    ic = series(log, "ipc_call_cross_as_len0_idle%d", IDLE)
    ir = series(log, "ipc_replyrecv_cross_as_len0_idle%d", IDLE)
    fi = lsq(ic)
    png = "idle_threads.png" if line_plot(
        plt, os.path.join(outdir, "idle_threads.png"),
        "One-way IPC (cross AS, length 0) with idle threads blocked on their own endpoints",
        "idle threads", [("Call", ic, None), ("ReplyRecv", ir, None)], logx=False) else None
    text = ["Call: %.3f instructions per idle thread (%s)." %
            (fi[1], "independent of the thread count" if abs(fi[1]) < 0.001 else "NOT constant")] \
        if fi else []
    out.append(("IPC cost against the number of threads", png, text))
    return out


THESIS = [
    ("Retype one object (Table 7.1, cycles)", "Endpoint 578, Notification 582, TCB 758, "
     "CNode(16) 841, 4 KiB frame 2246, PageTable 2249, PageDirectory 15545",
     ["retype_endpoint_1", "retype_notification_1", "retype_tcb_1", "retype_cnode16_1",
      "retype_frame4k_1", "retype_pagetable_1", "retype_pagedir_1"]),
    ("Batching (Fig. 7.1)", "smallest object: 616 per object alone, 207 at 10 or more per call",
     ["retype_batch_endpoint_1", "retype_batch_endpoint_16", "retype_batch_endpoint_32"]),
    ("Revoke of the parent untyped (Table 7.2)", "~250 fixed, 96-609 per further object, "
     "180 per further copy", ["revoke_fixed", "revoke_per_object", "revoke_per_copy"]),
    ("CSpace operations (Table 7.5)", "mint 518, delete 438",
     ["cnode_mint", "cnode_copy", "cnode_move", "cnode_delete"]),
    ("Lookup, 1/2/3 levels (Table 7.4)", "19 / 48 / 72",
     ["cap_lookup_level1", "cap_lookup_level2", "cap_lookup_level3"]),
    ("Map a 4 KiB page (Table 7.9)", "1109 with the page table present, 4621 with it made "
     "in the same path", ["map_page_pt_present", "map_page_pt_absent"]),
]


def breakdown(log, sel4):
    """User-level decomposition of the paths above their goal (estimates)."""
    v = log.value
    parts = [
        ("null_syscall", "kernel entry + exit, nothing else (BenchmarkNullSyscall)"),
        ("ipc_nbrecv_no_sender", "entry, lookup of an endpoint, NBRecv finds nobody, exit"),
        ("notify_signal_no_waiter", "entry, lookup, decode, signal a notification nobody waits "
         "on, exit"),
        ("ipc_nbsend_no_receiver", "entry, lookup, decode, NBSend finds nobody, exit"),
        ("cap_lookup_level1", "as notify_signal_no_waiter, capability 1 CNode deep"),
        ("yield_thread_switch", "entry, Yield, reschedule, switch to a thread of the same "
         "VSpace, exit"),
        ("yield_process_switch", "as above, with an address-space switch"),
        ("ipc_call_same_as_len0", "Call: entry, lookup, transfer, reply cap, block, switch, exit"),
        ("ipc_call_cross_as_len0", "as above, across address spaces"),
    ]
    lines = ["| sub-path | ours | what it contains |", "|---|---:|---|"]
    for name, what in parts:
        lines.append("| %s | %s | %s |" % (name, fmt(v(name)), what))
    est = []
    ns, call, nbsend = v("null_syscall"), v("ipc_call_cross_as_len0"), v("ipc_nbsend_no_receiver")
    ysw, ypsw = v("yield_thread_switch"), v("yield_process_switch")
    if ns is not None and nbsend is not None:
        est.append("capability lookup + decode of a send: about %d (nbsend - null)" % (nbsend - ns))
    if call is not None and nbsend is not None:
        est.append("message transfer, reply capability, blocking and the thread switch: about "
                   "%d (call - nbsend)" % (call - nbsend))
    if ysw is not None and ypsw is not None:
        est.append("address-space switch: about %d (process yield - thread yield)" % (ypsw - ysw))
    if ns is not None and sel4 and "null_syscall" in sel4:
        est.append("entry + exit: %d against seL4's %d" % (ns, sel4["null_syscall"]))
    unmap = v("unmap_page")
    if unmap is not None and ns is not None:
        est.append("floor of any invocation by Call (lookup, decode, reply from the kernel), "
                   "from the cheapest one measured, unmap_page: about %d above entry + exit; "
                   "map_page_pt_present, remap_*, cnode_* and retype_* all sit on it" % (unmap - ns))
    len0, len10 = v("ipc_call_cross_as_len0"), v("ipc_call_cross_as_len10")
    len120 = v("ipc_call_cross_as_len120")
    if len0 is not None and len10 is not None and len120 is not None:
        per_word = (len120 - len10) / 110.0
        if len10 - len0 < 10 * per_word + 100:
            est.append("length 0 costs only %d less than length 10 (%.1f per word): the "
                       "length-0 Call and ReplyRecv took the slowpath, no fastpath served them"
                       % (len10 - len0, per_word))
        if per_word >= 3:
            est.append("the message copy costs %.1f instructions per word; QEMU counts each "
                       "iteration of `rep movsl` as one instruction, so a string-instruction "
                       "copy would count about 1 per word" % per_word)
    l1, l3 = v("cap_lookup_level1"), v("cap_lookup_level3")
    if l1 is not None and l3 is not None:
        est.append("each further CNode level costs about %d instructions" % ((l3 - l1) / 2))
    return lines, est


# ---- sel4bench, the same binary on seL4's kernel and on ours ----

# sel4bench's rows that are measurement overheads (subtracted from the others): no goal.
SB_OVERHEADS = ("Signal overhead", "Read ccnt overhead", "read ccnt overhead", "fault overhead",
                "Nop syscall overhead")
# Parameters that tell the rows of one sel4bench benchmark apart, in the order shown.
SB_KEYS = ("Function", "Direction", "Client Prio", "Server Prio", "Same vspace?", "IPC length",
           "Prio", "Waiter", "Num of Page Mapped", "Phase")
# Our harness's rows that sel4bench also measures: name -> (benchmark, {parameter: value}).
SB_SAME = {
    "ipc_call_same_as_len0": ("One way IPC microbenchmarks",
                              {"Function": "seL4_Call", "Same vspace?": True, "IPC length": 0}),
    "ipc_replyrecv_same_as_len0": ("One way IPC microbenchmarks",
                                   {"Function": "seL4_ReplyRecv", "Same vspace?": True,
                                    "IPC length": 0}),
    "ipc_call_cross_as_len0": ("One way IPC microbenchmarks",
                               {"Function": "seL4_Call", "Same vspace?": False, "IPC length": 0}),
    "ipc_replyrecv_cross_as_len0": ("One way IPC microbenchmarks",
                                    {"Function": "seL4_ReplyRecv", "Same vspace?": False,
                                     "IPC length": 0}),
    "ipc_call_cross_as_len0_fpu": ("One way IPC microbenchmarks",
                                   {"Function": "seL4_Call (FPU)", "IPC length": 0}),
    "ipc_replyrecv_cross_as_len0_fpu": ("One way IPC microbenchmarks",
                                        {"Function": "seL4_ReplyRecv (FPU)", "IPC length": 0}),
    "ipc_call_cross_as_len10": ("One way IPC microbenchmarks",
                                {"Function": "seL4_Call", "IPC length": 10}),
    "ipc_replyrecv_cross_as_len10": ("One way IPC microbenchmarks",
                                     {"Function": "seL4_ReplyRecv", "IPC length": 10}),
    "ipc_send_slowpath": ("One way IPC microbenchmarks", {"Function": "seL4_Send"}),
    "notify_signal_wakes_higher": ("Signal to high prio thread", {}),
    "null_syscall": ("Hardware null_syscall thread", {}),
    "yield_thread_switch": ("Thread yield", {}),
    "yield_process_switch": ("Process yield", {}),
    "fault_roundtrip": ("fault round trip", {}),
    "fault_to_handler": ("faulter -> fault handler", {}),
    "fault_handler_to_faulter": ("fault handler -> faulter", {}),
    "retype_frame_4k": ("Mapping Benchmark", {"Num of Page Mapped": 1, "Phase": "Allocate Pages"}),
    "map_page_pt_present": ("Mapping Benchmark", {"Num of Page Mapped": 1, "Phase": "Mapping"}),
    "remap_page_readonly": ("Mapping Benchmark", {"Num of Page Mapped": 1,
                                                  "Phase": "Protect Pages as Read Only"}),
    "remap_page_readwrite": ("Mapping Benchmark", {"Num of Page Mapped": 1,
                                                   "Phase": "Unprotect Pages"}),
    "rdtsc_pair_overhead": ("Read ccnt overhead", {}),
}


VARIES = {}


def sb_levels(path, name, params):
    levels = VARIES.get((name, tuple(sorted(params.items())), path))
    if not levels:
        return ""
    if len(levels) > 6:
        return "%d..%d" % (levels[0], levels[-1])
    return "/".join(str(v) for v in levels)


def sb_load(path):
    """sel4bench's JSON (run.sh writes LOG.json) as [(benchmark, params, median)], or None.
    The median, as sel4bench reports it; the mean where sel4bench reports a mean only (Signal
    to process of higher prio: median 0). Where a row's samples vary, VARIES keeps their
    distinct values.
    Rows of hardware event counters (none under QEMU: all zero) and the "(early processing)"
    copies of a benchmark (the same samples, reported as a mean only) are left out."""
    import json
    if not path or not os.path.exists(path):
        return None
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    rows = []
    for bench in data:
        name = bench.get("Benchmark", "")
        if "(early processing)" in name:
            continue
        for r in bench.get("Results", []):
            if "Event" in r:
                continue
            params = {k: r[k] for k in SB_KEYS if k in r}
            value = r.get("Median") or r.get("Mean")
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            levels = sorted(set(r.get("Raw results") or []))
            VARIES[(name, tuple(sorted(params.items())), path)] = levels if len(levels) > 1 else None
            rows.append((name, params, value))
    return rows or None


def sb_label(name, params):
    parts = []
    for k in SB_KEYS:
        if k not in params:
            continue
        v = params[k]
        if k == "Same vspace?":
            parts.append("same vspace" if v else "other vspace")
        elif k in ("Function", "Direction", "Phase"):
            parts.append(str(v))
        else:
            parts.append("%s %s" % (k.lower().replace("num of page mapped", "pages"), v))
    return name + (": " + ", ".join(parts) if parts else "")


def sb_find(rows, bench, want):
    for name, params, median in rows or ():
        if name == bench and all(params.get(k) == v for k, v in want.items()):
            return median
    return None


def sb_goal(name, params, ours, ref):
    """(limit or None, text)."""
    if name in SB_OVERHEADS:
        return None, "overhead (subtracted from the rows below; not a kernel path)"
    if ref is None or ours is None:
        return None, "not measured on both"
    fn = str(params.get("Function", ""))
    if (name == "One way IPC microbenchmarks" and params.get("IPC length") == 0
            and fn.split(" ")[0] in ("seL4_Call", "seL4_ReplyRecv")):
        limit, desc = 0.8 * ref, "<= 0.8 x seL4"
    elif name == "fault round trip":
        limit, desc = 0.5 * ref, "<= 0.5 x seL4"
    else:
        limit, desc = ref, "<= seL4"
    return limit, "%s (%d): %s" % (desc, limit, "yes" if ours <= limit else "**no**")


PATHS = []   # the seL4 and our sel4bench JSON, in that order, for sb_levels

# Where the instructions of a row that misses its goal go (hand-written, from the measurements
# at the commit the report names; rows of both tables).
MISS_NOTES = {
    "ipc_call_cross_as_len0":
        "One instruction over, and the harness's own TLS layout is why. Each switch between "
        "our client and server rewrites the %gs descriptor in the GDT (6 instructions; the "
        "kernel skips an unchanged base) because the harness gives them TLS blocks at different "
        "addresses; sel4bench's cross-address-space client and server are two processes of one "
        "image whose TLS blocks sit at the same address, and sel4bench's own row on the same "
        "kernel (first table) meets the goal with room. Since 9eb6e9b (157) the row gained 5 "
        "instructions on every sysenter for the security fixes (flags cleared, DS/ES/FS/GS "
        "reloaded on every entry, docs/security.md) and 2 for the saved-fault check seL4's "
        "fastpath makes too, and lost the C call of the FPU-disabled switch (now in the exit "
        "tail), which the server pays since the harness disables its FPU as sel4bench does.",
}


def sb_table(ours, sel4):
    """[(label, ours, seL4, ratio, goal text, met or None)] over every row of either run."""
    out, seen = [], set()
    for name, params, ref in (sel4 or []) + [r for r in (ours or [])]:
        key = (name, tuple(sorted(params.items())))
        if key in seen:
            continue
        seen.add(key)
        mine = sb_find(ours, name, params)
        theirs = sb_find(sel4, name, params)
        limit, g = sb_goal(name, params, mine, theirs)
        ratio = mine / theirs if mine is not None and theirs else None
        var = [sb_levels(sb_path, name, params) for sb_path in PATHS]
        var = " | ".join(v or "-" for v in var) if any(var) else ""
        out.append((sb_label(name, params), mine, theirs, ratio, g,
                    None if limit is None else mine <= limit, var))
    return out


def sb_write(w, table, sb, commit, harness):
    """The report's first section: sel4bench on both kernels."""
    both = [r for r in table if r[5] is not None]
    met = [r for r in both if r[5]]
    w("## sel4bench: the same binary on seL4's kernel and on ours\n\n")
    w("seL4's own benchmark suite (sel4bench, prebuilt in `../shared/sel4`, apps ipc, scheduler, "
      "signal, fault, sync, page_mapping, and the hardware app for the null system call) booted "
      "by `../shared/sel4/run.sh` under `-icount shift=0,sleep=off` on seL4's kernels and on "
      "ours (`%s`), measured at commit %s. Figures are sel4bench's medians, in instructions, "
      "after its own overhead subtraction (the mean where sel4bench gives only a mean); under "
      "icount every sample of most rows is the same, and where samples vary the last column "
      "lists the values they took on each kernel (seL4 | ours); ratio = ours / seL4. %d of %d rows with a goal meet "
      "it.\n\n" % (sb["kernel"], commit, len(met), len(both)))
    w("| sel4bench row | seL4 | ours | ratio | goal met? | samples vary |\n"
      "|---|---:|---:|---:|---|---|\n")
    for label, mine, theirs, ratio, g, ok, var in table:
        w("| %s | %s | %s | %s | %s | %s |\n" % (label, fmt(theirs), fmt(mine), fmt(ratio, True),
                                                g, var))
    w("\nLeft out: sel4bench's hardware-event rows (\"Average ...\": QEMU has no performance "
      "counters, all zero on both kernels) and its \"(early processing)\" rows (the same "
      "samples, reported as a mean only). The sync rows (Wait time, Broadcast, Producer/"
      "Consumer) and \"Signal to high/low prio thread\" vary from sample to sample on both "
      "kernels, between a few values. For the two signal rows the cause is known: sel4bench's "
      "signal stub loads only the capability and system-call registers, so the message-info "
      "register (ESI) still holds the low word of the timestamp just read, and both kernels, "
      "as seL4's handleInvocation requires, look up (timestamp >> 7) & 3 extra capabilities "
      "before signalling. A sample lies on level k = 0..3 (one extra-capability lookup apart), "
      "and where the timestamps fall modulo 512 decides k, so the share of each level, and "
      "with it the median, changes with every instruction the loop gains or loses; compare "
      "the rows level by level (docs/bench/method.md, \"Signal to high prio thread\").\n\n")
    missed = [r for r in both if not r[5]]
    if missed:
        w("Rows that miss their goal, and where their instructions go (see also \"Where the "
          "instructions go\" below: our harness measures the sub-paths):\n\n")
        for r in missed:
            w("- %s: ours %s, seL4 %s%s. %s\n" % (r[0], fmt(r[1]), fmt(r[2]),
              "; samples (seL4 | ours): " + r[6] if r[6] else "",
              MISS_NOTES.get(r[0].split(":")[0], "")))
        w("\n")
    if harness:
        w("### Our harness against sel4bench on our kernel\n\n"
          "Our own harness (tests/bench, the tables below) keeps the rows sel4bench lacks. "
          "Where a row of ours measures what a sel4bench row measures, this is how far the two "
          "agree on our kernel (difference = harness - sel4bench):\n\n"
          "| our row | sel4bench row | harness | sel4bench | difference |\n"
          "|---|---|---:|---:|---:|\n")
        for name, label, h, b in harness:
            d = "" if h is None or b is None else "%+d" % (h - b)
            w("| %s | %s | %s | %s | %s |\n" % (name, label, fmt(h), fmt(b), d))
        w("\n")


def sb_harness(log, ours_rows):
    out = []
    for name, (bench, want) in SB_SAME.items():
        out.append((name, sb_label(bench, want), log.value(name), sb_find(ours_rows, bench, want)))
    return out


def sb_write_csv(path, table):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["sel4bench_row", "sel4", "ours", "ratio", "goal_met"])
        for label, mine, theirs, ratio, g, ok, var in table:
            w.writerow([label, fmt(theirs), fmt(mine), fmt(ratio, True),
                        "" if ok is None else ("yes" if ok else "no")])


def write_readme(path, rows, log, sel4, what, method_path, sb=None):
    outdir = os.path.dirname(os.path.abspath(path))
    skips = dict(log.skips)
    f = open(path, "w")
    w = f.write
    w("# Kernel benchmarks: instructions, ours against seL4 on the same emulator\n\n")
    w("Generated by `make bench` (tools/bench-report.py). Figures are guest instructions counted "
      "by rdtsc under `qemu-system-i386 -icount shift=0,sleep=off` (one tick per instruction), "
      "not time. First, seL4's own benchmark suite (sel4bench) run as one binary on seL4's kernel "
      "and on ours; then our own harness (`tests/bench`, log `build/logs/kernel-bench/bench.log`), "
      "against seL4's figures from sel4bench (`../shared/bench/sel4-icount.tsv`) and with the rows "
      "sel4bench lacks. Ratio = ours / seL4. The method, and where our harness differs from "
      "sel4bench, is at the end.\n\n")
    w("Raw figures: [results.csv](results.csv) (name, ours, sel4, ratio); sel4bench's rows: "
      "[sel4bench.csv](sel4bench.csv).\n\n")
    if sb and sb.get("table"):
        sb_write(w, sb["table"], sb, sb.get("commit", "?"), sb_harness(log, sb["ours"]))
    else:
        w("## sel4bench\n\nNot run: %s.\n\n" % ((sb or {}).get("why") or "no results"))
    w("## Our harness (tests/bench)\n\n")

    both = [r for r in rows if r[1] is not None and r[2] is not None and r[0] not in CONTEXT_ROWS]
    met = [r for r in both if r[1] <= goal(r[0], r[1], r[2], sel4)[0]]
    w("### Against seL4's figures (../shared/bench/sel4-icount.tsv)\n\n%d of %d rows with a seL4 figure meet their goal.\n\n"
      % (len(met), len(both)))
    w("| operation | ours | seL4 | ratio | goal met? |\n|---|---:|---:|---:|---|\n")
    for name, ours, ref, ratio in rows:
        if ref is None and name not in FAULT_PATH_ROWS:
            continue
        g = goal(name, ours, ref, sel4)[1]
        if ours is None and name in skips:
            g = "skipped: " + skips[name]
        w("| %s | %s | %s | %s | %s |\n" % (name, fmt(ours), fmt(ref), fmt(ratio, True), g))
    for name, ours, ref, ratio in rows:
        lim = goal(name, ours, ref, sel4)[0]
        if ours is not None and lim is not None and ours > lim and name in MISS_NOTES:
            w("\n- **%s** misses its goal: %s" % (name, MISS_NOTES[name]))
    w("\n\n![ours against seL4](results.png)\n\n")

    w("### Our other rows\n\n| operation | ours | note |\n|---|---:|---|\n")
    for name, ours, ref, ratio in rows:
        if ref is not None or name in FAULT_PATH_ROWS:
            continue
        note = ("skipped: " + skips[name]) if ours is None and name in skips else ""
        w("| %s | %s | %s |\n" % (name, fmt(ours), note))
    w("\n")

    w("## Shapes and growth rates\n\n")
    for title, png, text in shapes(log, sel4, outdir):
        w("### %s\n\n" % title)
        for t in text:
            w("- %s\n" % t)
        if png:
            w("\n![%s](%s)\n" % (title, png))
        w("\n")

    w("## Beside the thesis (KZM ARM11 cycles: compare shapes, not values)\n\n"
      "| what | thesis | ours (instructions) |\n|---|---|---|\n")
    for title, thesis, names in THESIS:
        ours = ", ".join("%s %s" % (n, fmt(log.value(n)) or "-") for n in names)
        w("| %s | %s | %s |\n" % (title, thesis, ours))
    w("\n")

    lines, est = breakdown(log, sel4)
    w("## Where the instructions go (user-level decomposition)\n\n"
      "The benchmark kernel has no per-phase counters; this decomposition of the main paths is "
      "built from sub-paths measured from user level with the same method:\n\n")
    w("\n".join(lines) + "\n\n")
    for e in est:
        w("- %s\n" % e)
    w("\n")

    w("## Skipped rows, unequal samples, notes\n\n")
    if not log.skips and not log.varies and not log.notes:
        w("None: every row was measured and all its samples were equal.\n")
    for name, reason in log.skips:
        w("- **skipped** `%s`: %s\n" % (name, reason))
    for name, (lo, hi, eq, n) in sorted(log.varies.items()):
        w("- **samples differ** `%s`: %d of %d equal the reported value; range %d..%d\n"
          % (name, eq, n, lo, hi))
    for name, text in log.notes:
        w("- note `%s`: %s\n" % (name, text))
    w("\n")

    if what:
        w("## What seL4's figures measured\n\n| seL4 row | measured |\n|---|---|\n")
        for name in what:
            w("| %s | %s |\n" % (name, what[name].replace("|", "/")))
        w("\n")

    if method_path and os.path.exists(method_path):
        with open(method_path) as m:
            w(m.read())
    f.close()


def boot(args, kernel, log_path, errors):
    """Boots kernel with the root task, serial output to log_path; appends failures to errors."""
    os.makedirs(os.path.dirname(os.path.abspath(log_path)), exist_ok=True)
    cmd = ([args.qemu, "-kernel", kernel, "-initrd", args.root_task]
           + shlex.split(args.qemu_args))
    print("bench-report: %s" % " ".join(shlex.quote(c) for c in cmd), flush=True)
    start = time.monotonic()
    status, _, timed_out = run_qemu(cmd, log_path, args.timeout)
    print("bench-report: QEMU ran %.1fs" % (time.monotonic() - start), flush=True)
    if timed_out:
        errors.append("%s: timeout after %gs" % (kernel, args.timeout))
    elif status is not None and status != args.expect_exit:
        errors.append("%s: QEMU exit status %d, expected %d" % (kernel, status, args.expect_exit))


def merge_log(log, extra, path, errors):
    """Adds the second run's rows to log: each replaces a skip of the same name."""
    if extra.panic:
        errors.append("%s: %s" % (path, extra.panic))
    if not extra.done:
        errors.append("no '%s' line in %s" % (DONE_LINE, path))
    for name, count in extra.rows:
        if log.value(name) is None:
            log.rows.append((name, count))
            log.skips = [(n, r) for n, r in log.skips if n != name]
    log.varies.update(extra.varies)
    log.notes.extend(extra.notes)


def start_sel4bench(args, errors):
    """Starts the four sel4bench runs (one after the other) in a thread; None if not asked.
    Sets args.sel4bench_* to the JSON files they will write."""
    if not args.sel4_shared:
        return None
    run_sh = os.path.join(args.sel4_shared, "run.sh")
    if not os.access(run_sh, os.X_OK):
        print("bench-report: sel4bench skipped: %s is absent" % args.sel4_shared, flush=True)
        return None
    outdir = os.path.dirname(os.path.abspath(args.log))
    os.makedirs(outdir, exist_ok=True)
    runs = []
    for what in ("bench", "benchhw"):
        for who, kernel in (("ours", os.path.abspath(args.sel4bench_kernel)), ("sel4", "")):
            log = os.path.join(outdir, "sel4%s-%s.log" % (what, who))
            setattr(args, "sel4%s_%s" % (what, who), log + ".json")
            runs.append((what, who, kernel, log))

    def work():
        for what, who, kernel, log in runs:
            if os.path.exists(log + ".json"):
                os.remove(log + ".json")
            r = subprocess.run([run_sh, what, kernel, log], stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
            print("bench-report: %s" % r.stdout.strip(), flush=True)
            if r.returncode != 0:
                errors.append("sel4%s on %s kernel did not finish (%s)" % (what, who, log))

    t = threading.Thread(target=work)
    t.start()
    return t


def sel4bench_results(args):
    ours = sb_load(args.sel4bench_ours)
    theirs = sb_load(args.sel4bench_sel4)
    if ours is None or theirs is None:
        return {"why": "no sel4bench results (../shared/sel4 absent, or a run failed)"}
    ours += sb_load(args.sel4benchhw_ours) or []
    theirs += sb_load(args.sel4benchhw_sel4) or []
    PATHS[:] = [args.sel4bench_sel4, args.sel4bench_ours]
    return {"ours": ours, "sel4": theirs, "table": sb_table(ours, theirs),
            "kernel": args.sel4bench_kernel, "commit": args.commit or "?"}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--log", required=True)
    ap.add_argument("--out", required=True, help="CSV path; .md and .png go beside it")
    ap.add_argument("--sel4", help="sel4-icount.tsv")
    ap.add_argument("--kernel", help="boot this kernel (else only read --log)")
    ap.add_argument("--kernel-irq", help="then boot this latency-tracking kernel as well")
    ap.add_argument("--log-irq", help="log of the --kernel-irq run")
    ap.add_argument("--root-task", help="benchmark root task (first multiboot module)")
    ap.add_argument("--qemu", default="qemu-system-i386")
    ap.add_argument("--qemu-args", default="", help="QEMU arguments, one string")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--expect-exit", type=int, default=33)
    ap.add_argument("--method", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                     "..", "docs", "bench", "method.md"),
                    help="hand-written method section appended to README.md")
    ap.add_argument("--sel4bench-ours", help="sel4bench JSON from our kernel (run.sh bench)")
    ap.add_argument("--sel4bench-sel4", help="sel4bench JSON from seL4's kernel")
    ap.add_argument("--sel4benchhw-ours", help="sel4bench hardware-app JSON from our kernel")
    ap.add_argument("--sel4benchhw-sel4", help="sel4bench hardware-app JSON from seL4's kernel")
    ap.add_argument("--sel4bench-kernel", default="build/kernel-bench-iommu/kernel.elf",
                    help="our kernel for sel4bench (seL4's KernelIOMMU labels, docs/api.md)")
    ap.add_argument("--sel4-shared", help="../shared/sel4: run sel4bench and its hardware app "
                    "(run.sh bench, benchhw) on --sel4bench-kernel and on seL4's kernels, "
                    "while our own harness runs; their JSON goes beside --log")
    ap.add_argument("--commit", default="", help="commit measured, for the report")
    args = ap.parse_args()

    errors = []
    sb_thread = start_sel4bench(args, errors)
    if args.kernel:
        boot(args, args.kernel, args.log, errors)
    log_irq = args.log_irq or ("%s-irq%s" % os.path.splitext(args.log))
    if args.kernel_irq:
        boot(args, args.kernel_irq, log_irq, errors)

    if sb_thread:
        sb_thread.join()
    log = read_log(args.log) if os.path.exists(args.log) else Log()
    if args.kernel_irq or args.log_irq:
        extra = read_log(log_irq) if os.path.exists(log_irq) else Log()
        merge_log(log, extra, log_irq, errors)
    ours, panic, done = log.rows, log.panic, log.done
    sel4, what = read_sel4(args.sel4)
    if sel4 is None:
        print("bench-report: no seL4 reference at %s; sel4/ratio columns left empty"
              % args.sel4, file=sys.stderr)
    for name, count in ours:
        print("BENCH %s %d" % (name, count))
    for name, reason in log.skips:
        print("BENCH_SKIP %s %s" % (name, reason))

    if panic:
        errors.append(panic)
    if not done:
        errors.append("no '%s' line" % DONE_LINE)
    if not ours:
        errors.append("no BENCH lines in %s" % args.log)

    if errors:
        print("bench-report: %s not updated: the run was incomplete" % args.out, file=sys.stderr)
    else:
        rows = join(ours, sel4, log.skips)
        os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
        base = os.path.splitext(args.out)[0]
        write_csv(args.out, rows)
        write_markdown(base + ".md", rows)
        write_plot(base + ".png", rows)
        sb = sel4bench_results(args)
        if sb.get("table"):
            sb_write_csv(base.rsplit("/", 1)[0] + "/sel4bench.csv" if "/" in base
                         else "sel4bench.csv", sb["table"])
            for label, mine, theirs, ratio, g, ok, var in sb["table"]:
                print("SEL4BENCH %s | seL4 %s | ours %s | %s" % (label, fmt(theirs), fmt(mine), g))
        write_readme(os.path.join(os.path.dirname(os.path.abspath(args.out)), "README.md"),
                     rows, log, sel4, what, args.method, sb)
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
