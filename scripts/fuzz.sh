#!/usr/bin/env bash
# Bounded fuzzing: builds the libFuzzer targets of Fuzz/ (a separate package, sanitized with
# fuzzer + address, in .build-fuzz) and runs each for a fixed time over a copy of its committed
# seed corpus in Fuzz/corpus/<target>/, so the committed corpus never grows.
#
# Prints, per target, the executions libFuzzer ran and the new inputs it found. Fails on any
# crash, broken invariant, leak, slow input or out-of-memory: the log tail and the saved input
# (in a temporary folder, named in the output) are shown.
#
# Environment:
#   FUZZ_SECONDS   run time per target (default 60)
#   FUZZ_MAX_LEN   largest input libFuzzer makes, in bytes (default 4096)
#   FUZZ_TARGETS   space-separated subset of targets (default: every folder in Fuzz/corpus)
#   FUZZ_SEED      libFuzzer's random seed (default: a new one each run, printed)
#   FUZZ_KEEP      1 keeps the temporary folder (grown corpora, logs) after a passing run
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FUZZ_SECONDS:-60}
max_len=${FUZZ_MAX_LEN:-4096}
targets=${FUZZ_TARGETS:-$(find Fuzz/corpus -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort | tr '\n' ' ')}
work=$(mktemp -d "${TMPDIR:-/tmp}/fuzz.XXXXXX")

started=$(date +%s)
echo "fuzz: building Fuzz/ with -sanitize=fuzzer,address"
swift build --package-path Fuzz -c debug --scratch-path .build-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library 2>&1 |
  grep -v "Cannot export local symbol" | tail -3
bin=$(swift build --package-path Fuzz -c debug --scratch-path .build-fuzz --show-bin-path)
built=$(date +%s)
echo "fuzz: build took $((built - started)) s"

# Leaks are failures; a Swift trap (a broken invariant, an overflow, an index out of range) is a
# crash that libFuzzer reports itself: Swift's own backtracer would read the sanitized stack and
# be reported instead.
export ASAN_OPTIONS="detect_leaks=1:handle_abort=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export SWIFT_BACKTRACE=enable=no

# One of libFuzzer's closing `stat::NAME: VALUE` lines (-print_final_stats=1); empty if absent.
stat_of() {
  grep -E "^stat::$1:" "$2" | awk '{print $2}' | tail -1 || true
}

failed=0
total_units=0
printf '%-22s %8s %12s %10s %8s\n' target seeds executions new_units result
for target in $targets; do
  corpus="$work/$target/corpus"
  artifacts="$work/$target/artifacts"
  log="$work/$target/log"
  mkdir -p "$corpus" "$artifacts"
  cp Fuzz/corpus/"$target"/* "$corpus"/
  seeds=$(find "$corpus" -type f | wc -l)
  args=(-max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048
    -print_final_stats=1 -artifact_prefix="$artifacts/")
  if [ -n "${FUZZ_SEED:-}" ]; then args+=(-seed="$FUZZ_SEED"); fi
  status=0
  "$bin/$target" "${args[@]}" "$corpus" >"$log" 2>&1 || status=$?
  units=$(stat_of number_of_executed_units "$log")
  added=$(stat_of new_units_added "$log")
  seed=$(grep -oE 'Seed: [0-9]+' "$log" | awk '{print $2}' | head -1 || true)
  total_units=$((total_units + ${units:-0}))
  if [ "$status" = 0 ] && [ -z "$(ls -A "$artifacts")" ]; then
    printf '%-22s %8s %12s %10s %8s\n' "$target" "$seeds" "${units:-?}" "${added:-?}" ok
  else
    failed=1
    printf '%-22s %8s %12s %10s %8s\n' "$target" "$seeds" "${units:-?}" "${added:-?}" "FAILED"
    echo "---- $target (exit $status, seed ${seed:-?}): what $log reports"
    grep -E "Fatal error|ERROR:|SUMMARY:|^ +#[0-9]+ |Test unit written" "$log" | head -40 || true
    for artifact in "$artifacts"/*; do
      [ -e "$artifact" ] || continue
      echo "---- saved input $artifact ($(wc -c <"$artifact") bytes), first 256 as hex:"
      head -c 256 "$artifact" | od -An -tx1 | head -16
      echo "---- rerun: $bin/$target $artifact"
    done
  fi
done
finished=$(date +%s)
echo "fuzz: $total_units executions in $((finished - built)) s of fuzzing ($seconds s per target), $((finished - started)) s in all"
if [ "$failed" = 1 ]; then
  echo "fuzz: FAILED; inputs and logs kept in $work"
  exit 1
fi
if [ "${FUZZ_KEEP:-0}" = 1 ]; then echo "fuzz: kept $work"; else rm -rf "$work"; fi
