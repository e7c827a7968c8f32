#!/usr/bin/env python3
"""Run the host isolation check on every configuration the build compiles, and judge it.

    tools/run-isocheck.py --isocheck build/tools/isocheck --build build --guest GUEST
                          [--verdicts tests/isolation/configs.tsv]
                          [--refusals tests/vmm/refusals.tsv] [--log-dir DIR] [--counts FILE]

Accepted configurations (build/vmm/examples/*.dtb, build/tests/vmm/systems/*.dtb) must give the
exit status and exactly the verdict lines ("a / b: spatial ..., full ..., devices ...") their
rows of the verdict table list; a tree without a row fails, so every configuration is covered.
Refused ones (every row of the VMM's refusal table) must be refused by the tool with the node,
property and message the VMM prints ('*' in a message stands for any run of characters),
since the tool reads them with the VMM's own reader. The modules are the guest stub and
build/tests/vmm/modules/*, as the VMM's tests boot them.
Prints "TEST isocheck/<tree> PASS|FAIL <why>"; --counts FILE gets "passed failed skipped".
"""
import argparse
import glob
import os
import re
import subprocess
from testreport import report

VERDICT = re.compile(r"^\S+ / \S+: spatial (yes|NO), full (yes|NO), devices (yes|NO)$")


def read_rows(path, fields):
    rows = []
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        rows.append(line.rstrip("\n").split("\t")[:fields])
    return rows


def run(args, modules, tree):
    cmd = [args.isocheck]
    for m in modules:
        cmd += ["--module", m]
    p = subprocess.run(cmd + [os.path.join(args.build, tree)], capture_output=True, timeout=60)
    out = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    name = tree.replace("/", "_")
    with open(os.path.join(args.log_dir, name + ".log"), "w") as f:
        f.write(out)
    return out.splitlines(), p.returncode


def judge_accepted(args, modules, tree, rows):
    lines, status = run(args, modules, tree)
    if not rows:
        return ["no row in %s" % args.verdicts]
    why = []
    want_status = int(rows[0][1])
    want = sorted(r[2] for r in rows if r[2] != "-")
    got = sorted(l for l in lines if VERDICT.match(l))
    if status != want_status:
        why.append("exit status %d, expected %d" % (status, want_status))
    if got != want:
        why.append("verdicts %r, expected %r" % (got, want))
    return why


def judge_refused(args, modules, row):
    tree, node, prop, message = row[0], row[1], row[2], row[3]
    lines, status = run(args, modules, os.path.join("tests/vmm", tree))
    prop = "" if prop == "-" else prop
    want = "== %s: configuration refused: %s: %s%s" % (
        os.path.join(args.build, "tests/vmm", tree), node, prop + ": " if prop else "", message)
    pattern = re.compile(".*".join(re.escape(part) for part in want.split("*")))
    why = []
    if not any(pattern.match(l) for l in lines):
        got = [l for l in lines if "configuration refused" in l]
        why.append("expected %r, got %r" % (want, got[0] if got else "no refusal"))
    if status != 2:
        why.append("exit status %d, expected 2" % status)
    return why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--isocheck", required=True)
    ap.add_argument("--build", default="build")
    ap.add_argument("--guest", required=True)
    ap.add_argument("--verdicts", default="tests/isolation/configs.tsv")
    ap.add_argument("--refusals", default="tests/vmm/refusals.tsv")
    ap.add_argument("--log-dir", default="build/logs/isocheck")
    ap.add_argument("--counts")
    args = ap.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    initramfs = os.path.join(os.path.dirname(args.guest), "initramfs.cpio")
    modules = ([args.guest] + ([initramfs] if os.path.exists(initramfs) else []) +
               sorted(glob.glob(os.path.join(args.build, "tests/vmm/modules/*"))))
    verdicts = read_rows(args.verdicts, 3)
    results = []
    trees = sorted(glob.glob(os.path.join(args.build, "vmm/examples/*.dtb")) +
                   glob.glob(os.path.join(args.build, "tests/vmm/systems/*.dtb")))
    for path in trees:
        tree = os.path.relpath(path, args.build)
        results.append((tree, judge_accepted(args, modules, tree,
                                             [r for r in verdicts if r[0] == tree])))
    for row in read_rows(args.refusals, 5):
        results.append(("tests/vmm/" + row[0], judge_refused(args, modules, row)))
    missing = [] if results else ["no configuration found under %s" % args.build]
    return report("isocheck", results, args.counts, missing)


if __name__ == "__main__":
    raise SystemExit(main())
