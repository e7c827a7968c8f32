#!/usr/bin/env bash
# Boots the kernel and a test root task in Bochs (a second PC model besides QEMU) through GRUB,
# and judges the serial log: every TEST line PASS, then TESTS DONE, no KERNEL PANIC.
#
#   tools/run-bochs.sh [--timeout S] [--work DIR] [--megs N] [--counts FILE] KERNEL ROOT [MODULE...]
#
# Bochs cannot load a multiboot ELF itself, so this builds a GRUB rescue ISO (grub-mkrescue,
# serial console) holding KERNEL, ROOT and any further MODULEs, and boots it from a CD-ROM.
# Bochs runs headless with display_library "term" under a pseudo-terminal (script), with its
# debugger continued at once (-rc: "c").  There is no isa-debug-exit device in Bochs: the
# result travels in the serial log (DIR/serial.txt), which is polled until TESTS DONE or a
# panic appears, or the timeout (default 120 s) runs out; then Bochs is stopped.
# Logs: DIR/serial.txt (the guest's console), DIR/bochs.log, DIR/bochsrc.
# With --counts FILE writes "passed failed skipped" for the make test summary (one test:
# bochs/<root task>), skipped when Bochs or GRUB is not installed.  Exit status 0 if it passed.
set -uo pipefail

timeout_s=120 work=build/bochs megs=128 counts=
args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --timeout) timeout_s=$2; shift 2;;
        --work) work=$2; shift 2;;
        --megs) megs=$2; shift 2;;
        --counts) counts=$2; shift 2;;
        -h|--help) sed -n '2,16p' "$0"; exit 0;;
        -*) echo "run-bochs: unknown option $1" >&2; exit 2;;
        *) args+=("$1"); shift;;
    esac
done
if [ ${#args[@]} -lt 2 ]; then
    echo "usage: tools/run-bochs.sh [options] KERNEL ROOT [MODULE...]" >&2
    exit 2
fi
kernel=${args[0]} root=${args[1]} modules=("${args[@]:2}")
name=bochs/$(basename "$root" .elf)

result() {  # passed failed skipped
    [ -n "$counts" ] && { mkdir -p "$(dirname "$counts")"; echo "$1 $2 $3" > "$counts"; }
}

for tool in bochs grub-mkrescue xorriso script; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "  SKIP $name: $tool is not installed (make deps installs it)"
        result 0 0 1
        exit 0
    fi
done
for f in "$kernel" "$root" "${modules[@]}"; do
    if [ ! -f "$f" ]; then
        echo "  FAIL $name: $f does not exist"
        result 0 1 0
        exit 1
    fi
done

rm -rf "$work"
mkdir -p "$work/iso/boot/grub"
cp "$kernel" "$work/iso/boot/kernel.elf"
cp "$root" "$work/iso/boot/$(basename "$root")"
{
    echo 'serial --unit=0 --speed=115200'
    echo 'terminal_input serial'
    echo 'terminal_output serial'
    echo 'set timeout=0'
    echo 'menuentry "kernel" {'
    echo '    multiboot /boot/kernel.elf'
    for m in "$root" "${modules[@]}"; do
        b=$(basename "$m")
        cp "$m" "$work/iso/boot/$b"
        echo "    module /boot/$b $b"
    done
    echo '    boot'
    echo '}'
} > "$work/iso/boot/grub/grub.cfg"
if ! grub-mkrescue -o "$work/boot.iso" "$work/iso" > "$work/grub-mkrescue.log" 2>&1; then
    echo "  FAIL $name: grub-mkrescue failed (see $work/grub-mkrescue.log)"
    tail -5 "$work/grub-mkrescue.log" | sed 's/^/  | /'
    result 0 1 0
    exit 1
fi

cat > "$work/bochsrc" <<EOF
megs: $megs
romimage: file=/usr/share/bochs/BIOS-bochs-latest
vgaromimage: file=/usr/share/vgabios/vgabios.bin
ata0-master: type=cdrom, path=boot.iso, status=inserted
boot: cdrom
com1: enabled=1, mode=file, dev=serial.txt
display_library: term
log: bochs.log
panic: action=fatal
error: action=report
info: action=ignore
EOF
echo c > "$work/debugger.rc"
: > "$work/serial.txt"

# Stops what this script started, by process id: script, the shell it runs, Bochs.
stop_bochs() {
    local procs=("$pid") kid grandkid
    for kid in $(pgrep -P "$pid"); do
        procs+=("$kid")
        for grandkid in $(pgrep -P "$kid"); do procs+=("$grandkid"); done
    done
    kill -TERM "${procs[@]}" 2>/dev/null
    sleep 1
    kill -KILL "${procs[@]}" 2>/dev/null
}

start=$(date +%s)
(cd "$work" && exec script -qec "bochs -q -f bochsrc -rc debugger.rc" /dev/null \
    > bochs-terminal.log 2>&1 < /dev/null) &
pid=$!
outcome=timeout
while kill -0 "$pid" 2>/dev/null; do
    if grep -q '^TESTS DONE' "$work/serial.txt"; then outcome=done; break; fi
    if grep -q 'KERNEL PANIC' "$work/serial.txt"; then outcome=panic; break; fi
    if [ $(( $(date +%s) - start )) -ge "$timeout_s" ]; then break; fi
    sleep 0.5
done
[ "$outcome" != timeout ] && sleep 0.5      # let the last lines reach the file
# bash reports a killed background job on stderr; that is expected here.
exec 3>&2 2>/dev/null
kill -0 "$pid" && stop_bochs
wait "$pid"
exec 2>&3 3>&-
elapsed=$(( $(date +%s) - start ))
[ "$outcome" = timeout ] && grep -q '^TESTS DONE' "$work/serial.txt" && outcome=done

log=$(tr -d '\r' < "$work/serial.txt")
passes=$(grep -c '^TEST .* PASS' <<< "$log")
fails=$(grep '^TEST .* FAIL' <<< "$log")
problems=()
case $outcome in
    timeout) problems+=("no TESTS DONE within ${timeout_s}s");;
    panic) problems+=("$(grep -m1 'KERNEL PANIC' <<< "$log")");;
esac
[ -n "$fails" ] && problems+=("$(grep -c . <<< "$fails") test(s) failed")
[ "$passes" -eq 0 ] && problems+=("no passing TEST line")

if [ ${#problems[@]} -eq 0 ]; then
    echo "  PASS $name ($passes tests passed under Bochs in ${elapsed}s)"
    result 1 0 0
    exit 0
fi
echo "  FAIL $name: $(IFS=';'; echo "${problems[*]}") (log: $work/serial.txt)"
[ -n "$fails" ] && sed 's/^/  | /' <<< "$fails"
tail -15 <<< "$log" | sed 's/^/  | /'
result 0 1 0
exit 1
