#!/usr/bin/env bash
# Added latency of the router over a direct Triton call, both measured in the same run.
#
# Method: after `make up`, the same `simple` JSON infer request (two INT32 [1,16] tensors) is
# sent with `hey` (Debian) first directly to triton-a and then through the router, alternating
# ROUNDS times so drift on a noisy machine hits both sides alike. Each round is REQUESTS requests
# over CONCURRENCY connections after a warm-up. Reported: the median of the per-round medians and
# p99s for each side and their difference. Loopback only; every loop is bounded.
#
# Usage: benchmarks/router-latency.sh [REQUESTS] [CONCURRENCY] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
requests=${1:-2000}
concurrency=${2:-4}
rounds=${3:-3}
command -v hey >/dev/null || { apt-get update -q && apt-get install -y -q hey; }
# shellcheck disable=SC1091
. .stack/env
target=${BENCH_URL:-$ROUTER_URL} # e.g. a release-build router on another port

body=$(mktemp)
trap 'rm -f "$body"' EXIT
cat >"$body" <<'JSON'
{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},{"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}
JSON

# run URL -> "p50_ms p99_ms rps"
run() {
    hey -n "$requests" -c "$concurrency" -m POST -T application/json -D "$body" "$1/v2/models/simple/infer" |
        awk '/Requests\/sec/ {rps=$2} /50% in/ {p50=$3*1000} /99% in/ {p99=$3*1000} / \[200\]/ {ok=$2}
             END {printf "%.3f %.3f %.0f %d\n", p50, p99, rps, ok}'
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run "$TRITON_A_URL" >/dev/null # warm-up
run "$target" >/dev/null
direct=() routed=()
for ((i = 1; i <= rounds; i++)); do
    direct+=("$(run "$TRITON_A_URL")")
    routed+=("$(run "$target")")
    echo "round $i: direct ${direct[-1]} | router ${routed[-1]}  (p50 ms, p99 ms, req/s, 200s)"
done
d50=$(printf '%s\n' "${direct[@]}" | awk '{print $1}' | median)
d99=$(printf '%s\n' "${direct[@]}" | awk '{print $2}' | median)
r50=$(printf '%s\n' "${routed[@]}" | awk '{print $1}' | median)
r99=$(printf '%s\n' "${routed[@]}" | awk '{print $2}' | median)
echo "direct triton: p50 ${d50} ms, p99 ${d99} ms"
echo "via router:    p50 ${r50} ms, p99 ${r99} ms"
awk -v a="$r50" -v b="$d50" -v c="$r99" -v d="$d99" \
    'BEGIN {printf "router adds: p50 %.3f ms, p99 %.3f ms (%d x %d requests, concurrency '"$concurrency"')\n", a-b, c-d, '"$rounds"', '"$requests"'}'
