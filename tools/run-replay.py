#!/usr/bin/env python3
"""Measured non-interference: guest A's output and memory do not depend on what its neighbours do.

    tools/run-replay.py --kernel K --vmm VMM --guest GUEST --initrd INITRAMFS [--jobs N]
                        [--build-dir DIR] [--log-dir DIR] [--counts FILE] [--frames]
                        [--tsc-clock] [--config replay|linux ...]

Under QEMU's `-icount shift=0,sleep=off` a run is deterministic: the same configuration gives
the same instructions in the same order. Two configurations are booted once per behaviour:
tests/replay/replay.dts runs guest A's workload (guest-stub/replay.c, `test=replay`) once per
memory policy (ad delegated, am mediated, ab balloon, au unaccounted) and as the control (al,
below); tests/replay/linux.dts runs A as a Linux guest (ax: busybox from the initramfs,
delegated, `clock=fixed`; three guests, so it has the ASID pool of its own it needs). In both,
the neighbours are b (delegated) and c (mediated), whose boot arguments and console script
are the behaviour under test:

    quiet     b and c say they are up and exit, test=quiet (the reference run)
    again     quiet once more: the run itself is deterministic
    churn     b and c allocate and free memory and objects for as long as A works
    crash     b and c fault at start and are stopped
    restart   churn, then the console destroys and restarts b and c (they churn again)
    attack    b and c run the attack suite's hostile guest, test=attack (guest-stub/attack*.c:
              guessed slots, every label on every capability, the VMM's protocol malformed,
              exhaustion, faults, mappings where it may not, itself deleted mid-call); every
              attack must fail as expected

Each run ends with the console's `digest <guest>` for every A: a SHA-256 the VMM computes of
every frame the guest has (vmm/digest.c). For each A, its console lines ("[ad] ...",
"vmm: guest 'ad' ...") and its digest line must be byte-identical to the quiet run's. The
control shows the test sees a difference where there is a channel: al is A under delegated
with `leak` and a read-only shared page that c writes its boot arguments into; after its last
line of output it mixes that page into its memory. Beside every behaviour but `again` its
digest, and only its digest, must differ from the quiet run's.

Each run must also show the behaviour happened (b and c crashed, restarted, churned, attacked
and lost), every A must finish its work, and the run must end cleanly (QEMU status 33, no
panic). Prints the table and "TEST replay/<row>/<behaviour> PASS|FAIL <why>" per cell (30);
--counts FILE gets "passed failed skipped".

For looking closer: --frames lists each frame's hash (`digest-frames`) in the logs, to find
which frame differs; --tsc-clock gives the Linux guest its ordinary clock, the time-stamp
counter, which under -icount counts every guest's instructions, so its digest must then differ
beside every behaviour but `again` (docs/isolation.md); --config runs one configuration only.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
from testreport import report

EXIT_OK = 33
TIMEOUT = 900             # seconds per boot: the work is fixed under -icount, the wall time is not
QEMU_ARGS = ["-m", "128M", "-display", "none", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
             "-icount", "shift=0,sleep=off"]
# The configurations booted for each behaviour: template, its A guests as (row, guest), and
# whether it needs the initramfs. A Linux guest needs an ASID pool of its own, which only a
# configuration of at most three guests gives, so it has one of its own.
CONFIGS = {
    "replay": ("tests/replay/replay.dts", [("delegated", "ad"), ("mediated", "am"),
                                           ("balloon", "ab"), ("unaccounted", "au"),
                                           ("leak (control)", "al")], False),
    "linux": ("tests/replay/linux.dts", [("linux (delegated)", "ax")], True),
}
# How each A says its work came out right.
PASSED = {"ax": r"^\[ax\] guest-stub: linux: /bin/busybox exited with status 0 after"}
PASSED_DEFAULT = r"^\[{g}\] guest-stub: test program passed$"
# The Linux guest holds more frame capabilities than its root CNode's 1024 slots: its digest
# must have read the second-level CNodes it grew.
CSPACE_FRAMES_MIN = {"ax": 1025}
# What a row must be beside every behaviour but `again` (default: identical). The control al
# mixes a shared page c writes into its memory after its last output: only its digest differs.
EXPECT = {"al": r"^differs \(digest\)$"}
NEIGHBOURS = ["b", "c"]
REFERENCE = "quiet"
VERDICT = r"^\[{n}\] attack: verdict: \d+ classes, \d+ tries, 0 unexpected: every attack failed"

# behaviour: (neighbours' boot arguments, console commands before the digests, what the log
# must show for each neighbour n)
BEHAVIOURS = {
    "quiet": ("test=quiet", [], [r"^vmm: guest '{n}' exited with status 0$"]),
    "again": ("test=quiet", [], [r"^vmm: guest '{n}' exited with status 0$"]),
    "churn": ("test=churn", [], [r"^\[{n}\] guest-stub: churn: \d+ rounds .* done, all freed$"]),
    "crash": ("test=crash", [], [r"^vmm: guest '{n}' crashed: page fault"]),
    "restart": ("test=churn", ["destroy b", "restart b", "destroy c", "restart c"],
                [r"^vmm: guest '{n}' destroyed", r"^vmm: guest '{n}' restarted$",
                 r"^\[{n}\] guest-stub: churn: .* done, all freed$"]),
    "attack": ("test=attack", [], [VERDICT, r"^vmm: guest '{n}' exited with status 0$"]),
}
ORDER = ["quiet", "again", "churn", "crash", "restart", "attack"]


def rows():
    """(row, guest, configuration) for every A, in table order."""
    return [(r, g, c) for c, (_, guests, _) in CONFIGS.items() for r, g in guests]


def tree(config, behaviour, opts):
    template, guests, _ = CONFIGS[config]
    args, before, _ = BEHAVIOURS[behaviour]
    script = before + ["digest%s %s" % ("-frames" if opts.frames else "", g) for _, g in guests]
    text = open(template).read()
    if opts.tsc_clock:
        text = text.replace('"clock=fixed init=', '"init=')
    return text.replace("@NEIGHBOUR@", args).replace(
        "@SCRIPT@", ", ".join('"%s"' % c for c in script))


def boot(args, config, behaviour):
    name = "%s-%s" % (config, behaviour)
    src = os.path.join(args.build_dir, name + ".dts")
    dtb = os.path.join(args.build_dir, name + ".dtb")
    with open(src, "w") as f:
        f.write(tree(config, behaviour, args))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, src], check=True)
    modules = [args.vmm, dtb, args.guest] + ([args.initrd] if CONFIGS[config][2] else [])
    cmd = ["qemu-system-i386", "-kernel", args.kernel, "-initrd", ",".join(modules)] + QEMU_ARGS
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        out, status = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, status = (e.stdout or b"").decode("utf-8", "replace"), "timeout"
    with open(os.path.join(args.log_dir, name + ".log"), "w") as f:
        f.write(out)
    return (config, behaviour), out.splitlines(), status


def guest_view(lines, g):
    """What A shows of itself: its output lines, the VMM's lines about it, its digest."""
    prefixes = ("[%s] " % g, "vmm: guest '%s' " % g, "digest %s: " % g)
    return [l for l in lines if l.startswith(prefixes)]


def run_problems(config, behaviour, lines, status):
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
    for _, g in CONFIGS[config][1]:
        view = guest_view(lines, g)
        if not any(re.match(PASSED.get(g, PASSED_DEFAULT.format(g=g)), l) for l in view):
            why.append("%s did not pass its workload" % g)
        digest = [m for m in (re.match(r"^digest %s: \d+ frames, \d+ KiB \((\d+) in its CSpace,"
                                        r".* sha256 [0-9a-f]{64}$" % g, l) for l in view) if m]
        if not digest:
            why.append("no digest of %s" % g)
        elif int(digest[0].group(1)) < CSPACE_FRAMES_MIN.get(g, 0):
            why.append("the digest of %s read only %s frames in its CSpace"
                       % (g, digest[0].group(1)))
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


def brief(run, problems):
    """A run's problems as one reason: the first three and how many more."""
    if not problems:
        return []
    more = " (and %d more)" % (len(problems) - 3) if len(problems) > 3 else ""
    return ["%s is not judged: %s%s" % (run, "; ".join(problems[:3]), more)]


def judge(runs, expect):
    """(cells, results): the table's words and a (name, reasons) pair per cell."""
    cells, results = {}, []
    for row, g, config in rows():
        ref_lines, ref_status = runs[(config, REFERENCE)]
        ref_bad = brief("the quiet run", run_problems(config, REFERENCE, ref_lines, ref_status))
        for b in ORDER[1:]:
            lines, status = runs[(config, b)]
            bad = ref_bad + brief("this run", run_problems(config, b, lines, status))
            word = difference(guest_view(ref_lines, g), guest_view(lines, g))
            cells[(g, b)] = word if not bad else "not judged"
            want = expect.get(g, "^identical$") if b != "again" else "^identical$"
            if not bad and not re.match(want, word):
                bad.append("%s's view %s beside %s" % (g, word, b))
            results.append(("%s/%s" % (row.split()[0], b), bad))
    return cells, results


def table(cells):
    width = max(len(r) for r, _, _ in rows()) + 2
    cols = ORDER[1:]
    cw = max(len(w) for w in list(cells.values()) + cols) + 2
    print("replay: A's output and digest beside each behaviour of b and c, against %s:"
          % REFERENCE)
    print("%-*s" % (width, "policy") + "".join("%-*s" % (cw, c) for c in cols).rstrip())
    for row, g, _ in rows():
        print("%-*s" % (width, row) + "".join("%-*s" % (cw, cells[(g, c)])
                                              for c in cols).rstrip())


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kernel", "--vmm", "--guest", "--initrd"):
        ap.add_argument(a, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--build-dir", default="build/tests/replay")
    ap.add_argument("--log-dir", default="build/logs/replay")
    ap.add_argument("--counts")
    ap.add_argument("--frames", action="store_true")
    ap.add_argument("--tsc-clock", action="store_true")
    ap.add_argument("--config", action="append", choices=sorted(CONFIGS))
    args = ap.parse_args()
    for c in [c for c in CONFIGS if args.config and c not in args.config]:
        del CONFIGS[c]
    os.makedirs(args.build_dir, exist_ok=True)
    os.makedirs(args.log_dir, exist_ok=True)
    todo = [(c, b) for c in CONFIGS for b in ORDER]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        runs = {key: (lines, status)
                for key, lines, status in ex.map(lambda cb: boot(args, *cb), todo)}
    expect = dict(EXPECT, **({"ax": r"^differs \(digest\)$"} if args.tsc_clock else {}))
    cells, results = judge(runs, expect)
    table(cells)
    return report("replay", results, args.counts)


if __name__ == "__main__":
    raise SystemExit(main())
