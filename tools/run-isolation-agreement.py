#!/usr/bin/env python3
"""The check before boot and the live audit agree; an unsafe grant at run time splits them.

    tools/run-isolation-agreement.py --kernel K --vmm VMM --unsafe-vmm VMM_UNSAFE
                                     --guest GUEST --isocheck ISOCHECK [--jobs N]
                                     [--build-dir DIR] [--log-dir DIR] [--counts FILE]

For every example configuration (vmm/examples/*.dts) and whole test configuration
(tests/vmm/systems/*.dts), a copy whose console-script is just `audit` is compiled with dtc,
checked with build/tools/isocheck, and booted with the real VMM under QEMU (trees whose guests
wait for console input or never stop, those with an .input file, get the interactive console
instead and `audit`, `quit` typed into it while their guests run): the verdict lines
("a / b: spatial ..., full ..., devices ...") and findings ("NOT CLEAN") the audit prints for
the live state must be exactly the ones the tool prints for the plan.

Then the default configuration runs `audit`, `unsafe-grant web db`, `audit` on the VMM's test
build (build/vmm-unsafe/vmm.elf): the first audit agrees with the tool; after db's CNode is
copied into web's CSpace the second says web / db are not spatially partitioned, with a chain
through db's CNode, while the tool (which sees only the configuration) still says they are. The
real VMM must not contain the unsafe command at all.
Prints "TEST isolation-agreement/<name> PASS|FAIL <why>"; --counts FILE gets
"passed failed skipped".
"""
import argparse
import concurrent.futures
import glob
import os
import re
import subprocess
import threading
from testreport import report

EXIT_OK = 33
TIMEOUT = 180
# COM1 is the console; a second serial port (COM2, -serial null) is there for guests given
# its ports and line 3 (tests/vmm/systems/interrupts.dts).
QEMU_ARGS = ["-m", "128M", "-display", "none", "-serial", "stdio", "-serial", "null",
             "-monitor", "none", "-no-reboot", "-device",
             "isa-debug-exit,iobase=0xf4,iosize=0x04"]
VERDICT = re.compile(r"^\S+ / \S+: spatial (yes|NO), full (yes|NO), devices (yes|NO)$")
FINDING = re.compile(r"^\S+: NOT CLEAN: ")
AUDIT_FIRST = re.compile(r"^audit: \d+ capabilities in \d+ CNodes: ")
AUDIT_LAST = re.compile(r"^audit: (every pair spatially partitioned|NOT ISOLATED)")
UNSAFE_SCRIPT = ['audit', 'unsafe-grant web db', 'audit']
INTERACTIVE = b"vmm: interactive console"
TYPED = b"audit\rquit\r"


def with_script(dts_text, commands):
    """The tree with its root console-script replaced by commands."""
    text = re.sub(r'\n\s*console-script\s*=[^;]*;', '', dts_text)
    script = ", ".join('"%s"' % c for c in commands)
    return re.sub(r'(compatible\s*=\s*"cvm,partitions-v1"\s*;)',
                  r'\1\n    console-script = %s;' % script, text, count=1)


def compile_tree(args, name, dts, commands):
    src = os.path.join(args.build_dir, name + ".dts")
    dtb = os.path.join(args.build_dir, name + ".dtb")
    with open(src, "w") as f:
        f.write(with_script(open(dts).read(), commands))
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, src], check=True)
    return dtb


def guest_modules(args):
    """The guest kernel and, once the build made it, the initramfs beside it (busybox.dts)."""
    initramfs = os.path.join(os.path.dirname(args.guest), "initramfs.cpio")
    return [args.guest] + ([initramfs] if os.path.exists(initramfs) else [])


def isocheck(args, dtb):
    cmd = [args.isocheck]
    for m in guest_modules(args):
        cmd += ["--module", m]
    p = subprocess.run(cmd + [dtb], capture_output=True, timeout=60)
    return p.stdout.decode("utf-8", "replace").splitlines(), p.returncode


def run_typed(cmd, typed):
    """QEMU's output and status, typed written to COM1 once the console opens."""
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    out = []
    for raw in proc.stdout:
        out.append(raw)
        if typed is not None and INTERACTIVE in raw:
            proc.stdin.write(typed)
            proc.stdin.flush()
            typed = None
    status = proc.wait()
    timed_out = not timer.is_alive()
    timer.cancel()
    return b"".join(out).decode("utf-8", "replace"), "timeout" if timed_out else status


def boot(args, vmm, dtb, log, typed=None):
    cmd = ["qemu-system-i386", "-kernel", args.kernel, "-initrd",
           ",".join([vmm, dtb] + guest_modules(args))] + QEMU_ARGS
    if typed is not None:
        out, status = run_typed(cmd, typed)
    else:
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=TIMEOUT)
            out, status = p.stdout.decode("utf-8", "replace"), p.returncode
        except subprocess.TimeoutExpired as e:
            out, status = (e.stdout or b"").decode("utf-8", "replace"), "timeout"
    with open(os.path.join(args.log_dir, log + ".log"), "w") as f:
        f.write(out)
    return out.splitlines(), status


def audits(lines):
    """Each `audit` the console ran: the lines it printed, from its count of capabilities to its
    last line. (Typed at the interactive console while guests run, the echo of the command may
    be split by a guest's line; the audit's own lines come whole, one after another.)"""
    runs, cur = [], None
    for l in lines:
        if AUDIT_FIRST.match(l):
            cur = []
            runs.append(cur)
        if cur is not None:
            cur.append(l)
            if AUDIT_LAST.match(l):
                cur = None
    return runs


def judged(lines):
    return sorted(l for l in lines if VERDICT.match(l) or FINDING.match(l))


def agree(args, dts):
    name = os.path.splitext(os.path.basename(dts))[0]
    name = ("example-" if "/examples/" in dts else "system-") + name
    # Guests driven by console input (an .input file beside the tree: echo mode, programs
    # that never end; or an interactive shell, `sh -i`, as vmm/examples/shell.dts runs for a
    # person) would keep a script from starting: `audit` is typed at the interactive console
    # instead, while they run.
    typed = (os.path.exists(os.path.splitext(dts)[0] + ".input") or
             " sh -i" in open(dts).read())
    dtb = compile_tree(args, name, dts, ["interactive"] if typed else ["audit"])
    tool, rc = isocheck(args, dtb)
    lines, status = boot(args, args.vmm, dtb, name, TYPED if typed else None)
    runs = audits(lines)
    why = []
    if rc != 0:
        why.append("isocheck exit status %d" % rc)
    if len(runs) != 1:
        why.append("%d audits ran, expected 1" % len(runs))
    elif judged(runs[0]) != judged(tool):
        why.append("audit says %r, isocheck %r" % (judged(runs[0]), judged(tool)))
    if status != EXIT_OK:
        why.append("QEMU status %s, expected %d" % (status, EXIT_OK))
    return name, why


def unsafe(args):
    name = "unsafe-grant"
    dtb = compile_tree(args, name, "vmm/examples/default.dts", UNSAFE_SCRIPT)
    tool, rc = isocheck(args, dtb)
    lines, status = boot(args, args.unsafe_vmm, dtb, name)
    runs = audits(lines)
    why = []
    if open(args.vmm, "rb").read().find(b"unsafe-grant") >= 0:
        why.append("the real VMM contains the unsafe command")
    if "web / db: spatial yes, full NO, devices yes" not in tool or rc != 0:
        why.append("isocheck does not accept the default configuration")
    if len(runs) != 2:
        return name, why + ["%d audits ran, expected 2" % len(runs)]
    before, after = runs
    if judged(before) != judged(tool):
        why.append("before the grant the audit says %r, isocheck %r" % (judged(before),
                                                                       judged(tool)))
    if "web / db: spatial NO, full NO, devices yes" not in after:
        why.append("after the grant the audit says %r" % judged(after))
    chain = [l for l in after if re.match(r"^    1\. web --\[[^]]*\]--> cnode .* db  \(", l)]
    if "  spatial chain:" not in after or not chain:
        why.append("no spatial chain through db's CNode after the grant")
    if "audit: NOT ISOLATED" not in after:
        why.append("the second audit does not end in NOT ISOLATED")
    if judged(after) == judged(tool):
        why.append("the audit and isocheck still agree after the grant")
    if status != EXIT_OK:
        why.append("QEMU status %s, expected %d" % (status, EXIT_OK))
    return name, why


def main():
    ap = argparse.ArgumentParser()
    for a in ("--kernel", "--vmm", "--unsafe-vmm", "--guest", "--isocheck"):
        ap.add_argument(a, required=True)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--build-dir", default="build/tests/isolation/agreement")
    ap.add_argument("--log-dir", default="build/logs/isolation-agreement")
    ap.add_argument("--counts")
    ap.add_argument("--only", nargs="*", help="just these trees (base names), and the unsafe run")
    args = ap.parse_args()
    os.makedirs(args.build_dir, exist_ok=True)
    os.makedirs(args.log_dir, exist_ok=True)
    trees = sorted(glob.glob("vmm/examples/*.dts")) + sorted(glob.glob("tests/vmm/systems/*.dts"))
    if args.only:
        trees = [t for t in trees if os.path.splitext(os.path.basename(t))[0] in args.only]
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        jobs = [ex.submit(agree, args, t) for t in trees] + [ex.submit(unsafe, args)]
        results = [j.result() for j in jobs]
    return report("isolation-agreement", results, args.counts)


if __name__ == "__main__":
    raise SystemExit(main())
