#!/usr/bin/env python3
"""Measured non-interference: guest A's output and memory do not depend on what its neighbours do.

    tools/run-replay.py --kernel K --vmm VMM --guest GUEST [--jobs N] [--build-dir DIR]
                        [--log-dir DIR] [--counts FILE] [--frames]

Under QEMU's `-icount shift=0,sleep=off` a run is deterministic: the same configuration gives
the same instructions in the same order. tests/replay/replay.dts runs guest A's workload
(guest-stub/replay.c, `test=replay`) once per memory policy (ad delegated, am mediated, ab
balloon, au unaccounted), and two controls (al, at, below), beside two neighbours, b
(delegated) and c (mediated), whose boot arguments and console script are the behaviour under
test:

    quiet     b and c say they are up and exit (the reference run)
    again     quiet once more: the run itself is deterministic
    churn     b and c allocate and free memory and objects for as long as A works
    crash     b and c fault at start and are stopped
    restart   churn, then the console destroys and restarts b and c (they churn again)
    attack    b and c run the hostile mode (guessed capabilities, wild calls to the VMM,
              mappings everywhere, memory exhausted, a spin, a fault on the kernel's memory)

Each run ends with the console's `digest <guest>` for every A: a SHA-256 the VMM computes of
every frame the guest has (vmm/digest.c). For each policy, A's console lines ("[ad] ...",
"vmm: guest 'ad' ...") and its digest line must be byte-identical to the quiet run's. The
controls show the test can see a difference where there is a channel; beside every behaviour
but `again` they must differ from the quiet run: al (A under delegated with `leak`: it reads
and prints a shared page b writes its boot arguments into, a page its digest includes) in
output and digest; at (with `clock`: it stores the time-stamp counter, which under -icount
counts every guest's instructions, after its last line of output) in its digest alone.

Each run must also show the behaviour happened (b and c crashed, restarted, churned, were
hostile) and end cleanly (QEMU status 33, no panic). Prints the table policy x behaviour and
"TEST replay/<policy>/<behaviour> PASS|FAIL <why>" per cell; --counts FILE gets
"passed failed skipped". --frames lists each frame's digest (`digest-frames`) in the logs, to
find which frame differs.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
from testreport import report

EXIT_OK = 33
TIMEOUT = 240
QEMU_ARGS = ["-m", "128M", "-display", "none", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
             "-icount", "shift=0,sleep=off"]
TEMPLATE = "tests/replay/replay.dts"
POLICIES = [("delegated", "ad"), ("mediated", "am"), ("balloon", "ab"), ("unaccounted", "au")]
# The controls, and what they must be beside every behaviour but `again`: al reads a shared
# page b writes (its output and digest differ), at stores the time-stamp counter after its last
# output (only its digest differs).
CONTROLS = [("leak (control)", "al", r"^differs \(output\+digest\)$"),
            ("clock (control)", "at", r"^differs \(digest\)$")]
NEIGHBOURS = ["b", "c"]
REFERENCE = "quiet"
HOSTILE = "test=hostile"

# behaviour: (neighbours' boot arguments, console commands before the digests, what the log
# must show for each neighbour n)
BEHAVIOURS = {
    "quiet": ("test=idle", [], [r"^\[{n}\] guest-stub: test program passed$"]),
    "again": ("test=idle", [], [r"^\[{n}\] guest-stub: test program passed$"]),
    "churn": ("test=churn", [], [r"^\[{n}\] guest-stub: churn: \d+ rounds .* done, all freed$"]),
    "crash": ("test=crash", [], [r"^vmm: guest '{n}' crashed: page fault"]),
    "restart": ("test=churn", ["destroy b", "restart b", "destroy c", "restart c"],
                [r"^vmm: guest '{n}' destroyed", r"^vmm: guest '{n}' restarted$",
                 r"^\[{n}\] guest-stub: churn: .* done, all freed$"]),
    "attack": (HOSTILE, [], [r"^\[{n}\] guest-stub: hostile: ",
                             r"^vmm: guest '{n}' crashed: page fault"]),
}
ORDER = ["quiet", "again", "churn", "crash", "restart", "attack"]


def tree(behaviour, frames):
    args, before, _ = BEHAVIOURS[behaviour]
    guests = [g for _, g in POLICIES] + [g for _, g, _ in CONTROLS]
    script = before + ["digest%s %s" % ("-frames" if frames else "", g) for g in guests]
    text = open(TEMPLATE).read()
    return text.replace("@NEIGHBOUR@", args).replace(
        "@SCRIPT@", ", ".join('"%s"' % c for c in script))


def boot(args, behaviour):
    src = os.path.join(args.build_dir, behaviour + ".dts")
    dtb = os.path.join(args.build_dir, behaviour + ".dtb")
    with open(src, "w") as f:
        f.write(tree(behaviour, args.frames))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, src], check=True)
    cmd = ["qemu-system-i386", "-kernel", args.kernel, "-initrd",
           ",".join([args.vmm, dtb, args.guest])] + QEMU_ARGS
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        out, status = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, status = (e.stdout or b"").decode("utf-8", "replace"), "timeout"
    with open(os.path.join(args.log_dir, behaviour + ".log"), "w") as f:
        f.write(out)
    return behaviour, out.splitlines(), status


def guest_view(lines, g):
    """What A shows of itself: its output lines, the VMM's lines about it, its digest."""
    prefixes = ("[%s] " % g, "vmm: guest '%s' " % g, "digest %s: " % g)
    return [l for l in lines if l.startswith(prefixes)]


def run_problems(behaviour, lines, status):
    """Why a run cannot be judged: it did not end cleanly, or the behaviour did not happen."""
    why = []
    if status != EXIT_OK:
        why.append("QEMU status %s, expected %d" % (status, EXIT_OK))
    if any(l.startswith("KERNEL PANIC") for l in lines):
        why.append("kernel panic")
    for n in NEIGHBOURS:
        for rule in BEHAVIOURS[behaviour][2]:
            if not any(re.search(rule.format(n=n), l) for l in lines):
                why.append("no line matches %r" % rule.format(n=n))
    for _, g in POLICIES + [(p, g) for p, g, _ in CONTROLS]:
        view = guest_view(lines, g)
        if "[%s] guest-stub: test program passed" % g not in view:
            why.append("%s did not pass its workload" % g)
        if not any(re.match(r"^digest %s: \d+ frames, .* sha256 [0-9a-f]{64}$" % g, l)
                   for l in view):
            why.append("no digest of %s" % g)
    return why


def difference(ref, got):
    """'identical', or what differs: output, digest or both."""
    parts = []
    if [l for l in ref if not l.startswith("digest ")] != [l for l in got
                                                            if not l.startswith("digest ")]:
        parts.append("output")
    if [l for l in ref if l.startswith("digest ")] != [l for l in got if l.startswith("digest ")]:
        parts.append("digest")
    return "differs (%s)" % "+".join(parts) if parts else "identical"


def judge(runs):
    """(cells, results): the table's words and a (name, reasons) pair per cell."""
    ref_lines, ref_status = runs[REFERENCE]
    ref_bad = run_problems(REFERENCE, ref_lines, ref_status)
    cells, results = {}, []
    for policy, g, expect in [(p, g, None) for p, g in POLICIES] + CONTROLS:
        for b in ORDER[1:]:
            lines, status = runs[b]
            bad = ["quiet run: " + w for w in ref_bad] + run_problems(b, lines, status)
            word = difference(guest_view(ref_lines, g), guest_view(lines, g))
            cells[(g, b)] = word if not bad else "not judged"
            want = "^identical$" if expect is None or b == "again" else expect
            if not bad and not re.match(want, word):
                bad.append("%s's view %s beside %s" % (g, word, b))
            results.append(("%s/%s" % (policy.split()[0], b), bad))
    return cells, results


def table(cells):
    rows = POLICIES + [(p, g) for p, g, _ in CONTROLS]
    width = max(len(p) for p, _ in rows) + 2
    cols = ORDER[1:]
    print("replay: A's output and digest beside each behaviour of b and c, against %s:"
          % REFERENCE)
    print("%-*s" % (width, "policy") + "".join("%-25s" % c for c in cols))
    for policy, g in rows:
        print("%-*s" % (width, policy) + "".join("%-25s" % cells[(g, c)] for c in cols))


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kernel", "--vmm", "--guest"):
        ap.add_argument(a, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--build-dir", default="build/tests/replay")
    ap.add_argument("--log-dir", default="build/logs/replay")
    ap.add_argument("--counts")
    ap.add_argument("--frames", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.build_dir, exist_ok=True)
    os.makedirs(args.log_dir, exist_ok=True)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        runs = {b: (lines, status) for b, lines, status in ex.map(lambda b: boot(args, b), ORDER)}
    cells, results = judge(runs)
    table(cells)
    return report("replay", results, args.counts)


if __name__ == "__main__":
    raise SystemExit(main())
