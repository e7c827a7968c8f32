#!/bin/bash
# Boots system-call fuzzer images (mk/sysfuzz.mk), each in its own QEMU, JOBS at once, and
# checks that each ends with "TEST sysfuzz/run PASS", "TESTS DONE" and exit status 33
# (DebugHalt), with no KERNEL PANIC and no INVARIANT VIOLATED line (the debug kernel's invariant
# checker reports a violation so, and no longer panics).  Prints one line per image and the
# invocation total.
#
#   tools/run-sysfuzz.sh --kernel K [--qemu Q] [--jobs N] [--timeout S] [--log-dir D]
#                        [--stop-at-done] ELF...
#
# --stop-at-done is for a release kernel, which has no DebugHalt (and keeps the debug-exit port
# to itself): once the log shows TESTS DONE, the boot is stopped and counts as exit status 33.
set -u
kernel= qemu=qemu-system-i386 jobs=2 timeout=7200 logdir=build/logs/sysfuzz stop_at_done=0
while [ $# -gt 0 ]; do
    case $1 in
    --kernel) kernel=$2; shift 2;;
    --qemu) qemu=$2; shift 2;;
    --jobs) jobs=$2; shift 2;;
    --timeout) timeout=$2; shift 2;;
    --log-dir) logdir=$2; shift 2;;
    --stop-at-done) stop_at_done=1; shift;;
    --) shift; break;;
    -*) echo "run-sysfuzz: unknown option $1" >&2; exit 2;;
    *) break;;
    esac
done
[ -n "$kernel" ] && [ $# -gt 0 ] || { echo "usage: $0 --kernel K [options] ELF..." >&2; exit 2; }
mkdir -p "$logdir"

# One boot; its verdict goes to LOG.verdict.
boot() {
    local elf=$1 log=$2 st pid stopped=0
    : >"$log"                           # no TESTS DONE of an earlier boot for the loop below
    timeout -k 5 "$timeout" "$qemu" -kernel "$kernel" -initrd "$elf" -m 128M -icount shift=0,sleep=off \
        -display none -serial stdio -monitor none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 </dev/null >"$log" 2>&1 &
    pid=$!
    if [ $stop_at_done -eq 1 ]; then
        while kill -0 $pid 2>/dev/null; do
            if tail -c 4096 "$log" | grep -q '^TESTS DONE'; then
                sleep 1
                kill $pid 2>/dev/null
                stopped=1
                break
            fi
            sleep 2
        done
    fi
    wait $pid
    st=$?
    [ $stopped -eq 1 ] && st=33
    if [ $st -eq 124 ] || [ $st -eq 137 ]; then echo "FAIL timeout after ${timeout}s"
    elif grep -q 'KERNEL PANIC' "$log"; then echo "FAIL kernel panic"
    elif grep -q '^INVARIANT VIOLATED' "$log"; then echo "FAIL invariant violated"
    elif [ $st -ne 33 ]; then echo "FAIL exit status $st"
    elif ! grep -q '^TEST sysfuzz/run PASS' "$log"; then echo "FAIL no TEST sysfuzz/run PASS"
    elif ! grep -q '^TESTS DONE' "$log"; then echo "FAIL no TESTS DONE"
    elif grep -q '^TEST .* FAIL' "$log"; then echo "FAIL a regression test failed"
    else echo PASS
    fi >"$log.verdict"
}

logs=()
for elf in "$@"; do
    name=$(basename "$(dirname "$elf")")
    log=$logdir/$name.log
    logs+=("$log")
    rm -f "$log.verdict"
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n; done
    boot "$elf" "$log" &
done
wait

fail=0 total=0 storms=0
for log in "${logs[@]}"; do
    v=$(cat "$log.verdict" 2>/dev/null || echo "FAIL no verdict")
    n=$(sed -n 's/^sysfuzz: seed .* invocations \([0-9]*\) .*/\1/p' "$log" | tail -1)
    m=$(sed -n 's/^sysfuzz: storms \([0-9]*\) ipc ops.*/\1/p' "$log" | tail -1)
    total=$((total + ${n:-0}))
    storms=$((storms + ${m:-0}))
    echo "$v $(basename "$log" .log) invocations ${n:-?} storm ops ${m:-?} ($log)"
    case $v in PASS) ;; *) fail=$((fail + 1)); grep -av '^refused:' "$log" | tail -25;; esac
done
echo "sysfuzz: $# boot(s), $fail failed, $total invocations, $storms storm IPC operations"
[ $fail -eq 0 ]
