#!/usr/bin/env python3
"""The VMM's benchmarks: boot the benchmark kernel with the VMM and tests/vmm/bench/bench.dtb
under QEMU -icount, collect its BENCH lines, write them to a CSV. With --rows (and another
--dtb), another set of figures: the isolation audit's (tests/vmm/bench/audit.dts).

    tools/run-vmm-bench.py --kernel build/kernel-bench/kernel.elf --vmm build/vmm/vmm.elf
                           --guest build/guest-stub/guest-stub.elf --dtb build/tests/vmm/bench/bench.dtb
                           --qemu-args "..." --log FILE --out docs/bench/vmm-results.csv

The VMM and its guests print "BENCH <name> <instructions>" (guest-stub/bench.c, the VMM's
`bench` and `bench-destroy` console commands) and the script ends with "BENCH DONE"; the
harness stops QEMU there.  --initrd adds the initramfs after the guest kernel, for
configurations whose guests run Linux programs (tests/vmm/bench/linux-fault.dts).  Fails
(leaving --out as it was) without BENCH DONE, on a timeout, a kernel panic, a guest that exits
with a non-zero status or crashes, or a missing row.
"""
import argparse
import re
import shlex
import subprocess
import sys

BENCH_RE = re.compile(r"^BENCH\s+(\S+)\s+(\d+)\s*$")
BAD_RE = re.compile(r"^(KERNEL PANIC|vmm: guest '\S+' (crashed|exited with status [1-9-]))")
TYPES = ["tcb", "endpoint", "notification", "frame", "page_table"]
ROWS = ["guest_boot", "vmm_config_parse"] + \
    ["%s_alloc_%s" % (p, t) for p in ("delegated", "mediated") for t in TYPES] + \
    ["delegated_map_page", "mediated_map_page", "guest_destroy_per_mib"]


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kernel", "--vmm", "--guest", "--dtb", "--log", "--out"):
        ap.add_argument(a, required=True)
    ap.add_argument("--qemu", default="qemu-system-i386")
    ap.add_argument("--qemu-args", default="")
    ap.add_argument("--timeout", type=int, default=300)
    ap.add_argument("--rows", help="comma-separated rows expected (default: the VMM's)")
    ap.add_argument("--initrd", help="a boot module after the guest kernel (Linux guests)")
    args = ap.parse_args()
    rows_wanted = args.rows.split(",") if args.rows else ROWS
    cmd = [args.qemu, "-kernel", args.kernel, "-initrd",
           ",".join([args.vmm, args.dtb, args.guest] + ([args.initrd] if args.initrd else []))] + \
        shlex.split(args.qemu_args)
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    rows, errors, done = {}, [], False
    with open(args.log, "w") as log:
        try:
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                log.write(line + "\n")
                m = BENCH_RE.match(line)
                if m:
                    rows[m.group(1)] = int(m.group(2))
                if BAD_RE.match(line):
                    errors.append(line)
                if line.strip() == "BENCH DONE":
                    done = True
                    break
        finally:
            proc.kill()
            proc.wait()
    errors += ["missing row %s" % r for r in rows_wanted if r not in rows]
    if not done:
        errors.append("no BENCH DONE")
    for name in rows_wanted:
        if name in rows:
            print("BENCH %s %d" % (name, rows[name]))
    if errors:
        print("vmm-bench: " + "; ".join(errors), file=sys.stderr)
        return 1
    with open(args.out, "w") as f:
        f.write("name,instructions\n")
        for name in rows_wanted:
            f.write("%s,%d\n" % (name, rows[name]))
    print("vmm-bench: wrote %s" % args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
