#!/usr/bin/env bash
# Runs libFuzzer targets (built by "make fuzz-build") for FUZZ_SECONDS
# each, FUZZ_JOBS at a time (default: the number of CPUs).
#
#   bash fuzz/run.sh map normalize ...      (make fuzz / make fuzz-long)
#
# Each target starts from its committed seeds and findings
# (fuzz/corpus/TARGET) and a working corpus (build/fuzz/corpus/TARGET,
# kept between runs, never committed).  Logs go to
# build/fuzz/logs/TARGET.log and crashing inputs to build/fuzz/artifacts/.
# Prints one line per target (executions, coverage, corpus) and exits 1
# when any target found a crash, a leak, a timeout or a failed check.
set -uo pipefail

cd "$(dirname "$0")/.."

BUILD=${BUILD:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}
out=$BUILD/fuzz
mkdir -p "$out/logs" "$out/artifacts"

# the committed seeds and findings of a target (read, never written:
# libFuzzer adds new inputs to the first folder only)
seeds() {
    echo "fuzz/corpus/$1"
}

run_one() {
    local t=$1 corpus=$out/corpus/$1
    mkdir -p "$corpus"
    ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    "$out/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
        -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 \
        -close_fd_mask=3 -artifact_prefix="$out/artifacts/$t-" \
        "$corpus" "$(seeds "$t")" >"$out/logs/$t.log" 2>&1
    echo $? >"$out/logs/$t.rc"
}

pids=()
for t in "$@"; do
    [ -x "$out/fuzz_$t" ] || { echo "fuzz: $out/fuzz_$t is not built" >&2; exit 2; }
    while [ "$(jobs -rp | wc -l)" -ge "$FUZZ_JOBS" ]; do
        wait -n
    done
    run_one "$t" &
    pids+=($!)
done
wait

fail=0
printf '%-16s %6s %12s %10s %8s %8s %8s  %s\n' target seconds executions "exec/s" cov ft corpus result
for t in "$@"; do
    log=$out/logs/$t.log
    rc=$(cat "$out/logs/$t.rc" 2>/dev/null || echo '?')
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    last=$(grep -E '^#[0-9]+' "$log" | tail -1)
    cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
    ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
    corp=$(sed -n 's/.* corp: \([0-9]*\).*/\1/p' <<<"$last")
    if [ "$rc" = 0 ]; then
        result=ok
    else
        result="FAILED (rc $rc, see $log)"
        fail=1
    fi
    printf '%-16s %6s %12s %10s %8s %8s %8s  %s\n' "$t" "$FUZZ_SECONDS" \
        "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
done

if [ "$fail" != 0 ]; then
    for t in "$@"; do
        [ "$(cat "$out/logs/$t.rc")" = 0 ] && continue
        echo "== $t" >&2
        grep -E -A30 'ERROR|runtime error|check failed|Test unit written|timeout' \
            "$out/logs/$t.log" | head -60 >&2
    done
fi
exit $fail
