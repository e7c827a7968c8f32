#!/usr/bin/env python3
"""Boot the real VMM under QEMU with configurations it must refuse, and one it must accept.

    tools/run-vmm-refusals.py --kernel K --vmm VMM --table TSV --build-dir DIR
                              [--jobs N] [--log-dir DIR] [--counts FILE]

Every row of the refusal table (tests/vmm/refusals.tsv) marked "yes" in its last column boots
the kernel with the VMM, the row's tree and the test modules (the guest stub and the broken
images of tools/vmm-test-modules.py).  It passes when the console shows

    vmm: configuration refused: <node>: <property>: <message...>
    vmm: no guest was built

(the message compared up to the table's prefix, '*' standing for any run of characters), nothing says the configuration was accepted,
and QEMU ends with status 33 (DebugHalt).  One more run boots the default configuration
(build/vmm/examples/default.dtb) and expects "vmm: configuration accepted" and no line of the
debug kernel's "refused: ..." (a call refused on the way is a probe someone should not make:
the console a person sees on `make run` stays clean).
Prints "TEST vmm-refusals/<tree> PASS|FAIL <why>" lines; --counts FILE receives
"passed failed skipped".
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
from testreport import report

EXIT_OK = 33
TIMEOUT = 60
QEMU_ARGS = ["-m", "128M", "-display", "none", "-serial", "stdio", "-monitor", "none",
             "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
MODULES = ["guest-stub.elf", "truncated.elf", "kernel-space.elf", "overlap.elf", "64bit.elf",
           "rootfs.cpio"]
ACCEPTED = "vmm: configuration accepted"
NONE_BUILT = "vmm: no guest was built"
KERNEL_REFUSED = "refused:"   # the debug kernel's line for every call it refuses


def read_table(path):
    rows = []
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        config, node, prop, message, qemu = line.rstrip("\n").split("\t")
        if qemu == "yes":
            rows.append((config, node, "" if prop == "-" else prop, message))
    return rows


def boot(args, config_path, log_name):
    mods = [args.vmm, config_path, args.guest] + \
        [os.path.join(args.build_dir, "modules", m) for m in MODULES[1:]]
    cmd = ["qemu-system-i386", "-kernel", args.kernel, "-initrd", ",".join(mods)] + QEMU_ARGS
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True, timeout=TIMEOUT)
        out, status = p.stdout.decode("utf-8", "replace"), p.returncode
    except subprocess.TimeoutExpired as e:
        out, status = (e.stdout or b"").decode("utf-8", "replace"), "timeout"
    with open(os.path.join(args.log_dir, log_name + ".log"), "w") as f:
        f.write(out)
    return out.splitlines(), status


def judge_refusal(args, row):
    config, node, prop, message = row
    lines, status = boot(args, os.path.join(args.build_dir, config), os.path.basename(config))
    want = "vmm: configuration refused: %s: %s%s" % (node, prop + ": " if prop else "", message)
    pattern = re.compile(".*".join(re.escape(part) for part in want.split("*")))
    why = []
    if not any(pattern.match(l) for l in lines):
        got = [l for l in lines if l.startswith("vmm: configuration refused")]
        why.append("expected %r, got %r" % (want, got[0] if got else "no refusal"))
    if NONE_BUILT not in lines:
        why.append("no %r line" % NONE_BUILT)
    if any(l.startswith(ACCEPTED) for l in lines):
        why.append("the configuration was accepted")
    if status != EXIT_OK:
        why.append("QEMU status %s, expected %d" % (status, EXIT_OK))
    return config, why


def judge_default(args):
    lines, status = boot(args, args.default, "default-accepted")
    why = []
    if not any(l.startswith(ACCEPTED) for l in lines):
        why.append("no %r line" % ACCEPTED)
    refused = [l for l in lines if l.startswith(KERNEL_REFUSED)]
    if refused:
        why.append("%d kernel refusal lines, the first %r" % (len(refused), refused[0]))
    if status != EXIT_OK:
        why.append("QEMU status %s, expected %d" % (status, EXIT_OK))
    return "default-accepted", why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--kernel", required=True)
    ap.add_argument("--vmm", required=True)
    ap.add_argument("--guest", required=True)
    ap.add_argument("--default", required=True)
    ap.add_argument("--table", required=True)
    ap.add_argument("--build-dir", required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--log-dir", default="build/logs/vmm-refusals")
    ap.add_argument("--counts")
    args = ap.parse_args()
    os.makedirs(args.log_dir, exist_ok=True)
    rows = read_table(args.table)
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futures = [ex.submit(judge_refusal, args, r) for r in rows]
        futures.append(ex.submit(judge_default, args))
        results = [f.result() for f in futures]
    return report("vmm-refusals", results, args.counts)


if __name__ == "__main__":
    raise SystemExit(main())
