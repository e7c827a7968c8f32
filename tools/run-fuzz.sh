#!/usr/bin/env bash
# Runs libFuzzer targets (build/fuzz/<name>_fuzz), each for a bounded time, and counts one test
# per target: PASS when it ran out its time or input budget without a finding, FAIL on a crash,
# a sanitizer report, a broken guarantee (FUZZ_CHECK), a hang (-timeout) or a missing binary.
#
#   tools/run-fuzz.sh [--time S] [--runs N] [--seed N] [--seeds DIR] [--corpus DIR] [--fresh]
#                     [--artifacts DIR] [--log-dir DIR] [--counts FILE] BIN...
#
# --seeds DIR/<name>/ are read-only starting inputs (tools/fuzz-seeds.py); new inputs go to
# --corpus DIR/<name>/, which --fresh empties first (so a run starts only from the seeds).  A failing input is saved as <artifacts>/<name>-crash-... (or -timeout-,
# -leak-...) and is replayed with:  build/fuzz/<name>_fuzz <that file>
# Prints "PASS fuzz/<name> (...)" or "FAIL fuzz/<name>: ..." per target and, with --counts,
# writes "passed failed skipped".  Exit status 0 if nothing failed.
set -uo pipefail

time_s=3 runs= seed=1 seeds= corpus=build/fuzz/corpus fresh=0
artifacts=build/fuzz/artifacts log_dir=build/logs/fuzz counts=
# Per input: a lookup or parse takes microseconds, so 10 s is a hang.
input_timeout=10
bins=()
while [ $# -gt 0 ]; do
    case "$1" in
        --time) time_s=$2; shift 2;;
        --runs) runs=$2; shift 2;;
        --seed) seed=$2; shift 2;;
        --seeds) seeds=$2; shift 2;;
        --corpus) corpus=$2; shift 2;;
        --fresh) fresh=1; shift;;
        --artifacts) artifacts=$2; shift 2;;
        --log-dir) log_dir=$2; shift 2;;
        --counts) counts=$2; shift 2;;
        -h|--help) sed -n '2,15p' "$0"; exit 0;;
        -*) echo "run-fuzz: unknown option $1" >&2; exit 2;;
        *) bins+=("$1"); shift;;
    esac
done

mkdir -p "$log_dir" "$artifacts"
[ -n "$counts" ] && rm -f "$counts"
passed=0 failed=0
budget="-max_total_time=$time_s"
[ -n "$runs" ] && budget="-runs=$runs"
echo "== fuzzing ${#bins[@]} target(s), seed $seed, ${runs:+$runs inputs}${runs:-${time_s}s} each"

for bin in "${bins[@]}"; do
    name=$(basename "$bin" _fuzz)
    log="$log_dir/$name.log"
    if [ ! -x "$bin" ]; then
        echo "  FAIL fuzz/$name: $bin is not built (is clang installed? make fuzz-build)"
        failed=$((failed + 1))
        continue
    fi
    dirs=("$corpus/$name")
    [ "$fresh" = 1 ] && rm -rf "${corpus:?}/$name"
    mkdir -p "$corpus/$name"
    [ -n "$seeds" ] && [ -d "$seeds/$name" ] && dirs+=("$seeds/$name")
    # The outer timeout only guards against libFuzzer itself getting stuck.
    wall=$((time_s + 60))
    [ -n "$runs" ] && wall=3600
    timeout -k 5 "$wall" "$bin" -seed="$seed" "$budget" -timeout="$input_timeout" \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/$name-" \
        "${dirs[@]}" > "$log" 2>&1
    status=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    if [ $status -eq 0 ]; then
        echo "  PASS fuzz/$name (${execs:-?} inputs, ${cov:-cov: ?}, seed $seed)"
        passed=$((passed + 1))
    else
        why=$(grep -m1 -E 'ERROR: libFuzzer|ERROR: AddressSanitizer|runtime error:|guarantee broken|KERNEL PANIC|Test unit written' "$log")
        artifact=$(sed -n 's/.*Test unit written to \(.*\)/\1/p' "$log" | tail -1)
        [ $status -eq 124 ] && why="libFuzzer did not stop after ${wall}s"
        echo "  FAIL fuzz/$name: exit status $status: ${why:-see $log}"
        [ -n "$artifact" ] && echo "       input: $artifact  (replay: $bin $artifact)"
        grep -E 'guarantee broken|KERNEL PANIC|ERROR:|SUMMARY:|#[0-9]+ .* in ' "$log" | head -15 | sed 's/^/  | /'
        failed=$((failed + 1))
    fi
done

echo "== fuzz: $passed passed, $failed failed"
[ -n "$counts" ] && { mkdir -p "$(dirname "$counts")"; echo "$passed $failed 0" > "$counts"; }
[ $failed -eq 0 ]
