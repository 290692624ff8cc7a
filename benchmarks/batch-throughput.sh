#!/usr/bin/env bash
# Batch worker throughput end to end against calling Triton directly, measured in one run.
#
# Method: after `make up`, the router, batch worker and gateway are restarted from BUILD binaries
# (release by default). ROUNDS times, alternating so drift on a noisy machine hits both sides:
#   direct  ITEMS `simple` items (two INT32 [16] tensors each) in requests of BATCH items, sent
#           with `hey` to triton-a and triton-b at once, CONCURRENCY/2 connections each
#           (inference only: nothing is stored);
#   worker  the same ITEMS as one JSON Lines job through the gateway (`inferctl batch submit`),
#           timed from the submit call to the job's status `completed` (polled every 100 ms):
#           Kafka in, batches of BATCH (simple's max_batch_size) through the router, shards
#           (JSON Lines objects) of grouped batches and one row per item, offsets committed;
#           and, separately, to its result files being written (`output_url` in the status:
#           output.jsonl in input order, errors.jsonl, manifest), which users wait for too.
# Then the S3 server's own ceiling: `hey` PUTs of a full shard (BATCH output lines, the size the
# worker writes) to a throwaway, unauthenticated SeaweedFS started on free loopback ports, 64
# connections — no worker involved; PUT/s × BATCH is the items/s it could take. Reported: items/s
# per round, medians, and worker / direct.
# Loopback only; every loop is bounded. The router and worker are put back on debug builds at
# the end, as `make up` starts them.
#
# Usage: benchmarks/batch-throughput.sh [ITEMS] [ROUNDS]   (env: BUILD, BATCH, CONCURRENCY)
set -euo pipefail
cd "$(dirname "$0")/.."
items=${1:-10000}
rounds=${2:-2}
build=${BUILD:-release}
batch=${BATCH:-8}
concurrency=${CONCURRENCY:-8}
command -v hey >/dev/null || { apt-get update -q && apt-get install -y -q hey; }
[[ -f .stack/env ]] || { echo "run 'make up' first" >&2; exit 1; }
# shellcheck disable=SC1091
. .stack/env
export LD_LIBRARY_PATH="${RDKAFKA_LIBRARY_PATH}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
py=$STACK_VENV/bin/python
inferctl=$(swift build --product inferctl >/dev/null 2>&1 && swift build --show-bin-path 2>/dev/null)/inferctl
work=$(mktemp -d)
weed_pid=""
restore() {
    if [[ -n "$weed_pid" ]]; then
        # SeaweedFS may sit out SIGTERM: give it 10 s, then SIGKILL.
        kill "$weed_pid" 2>/dev/null || true
        for ((i = 0; i < 20; i++)); do kill -0 "$weed_pid" 2>/dev/null || break; sleep 0.5; done
        kill -9 "$weed_pid" 2>/dev/null || true
        wait "$weed_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    if [[ "$build" != debug ]]; then
        echo "putting the router and worker back on debug builds"
        scripts/stack/restart-component.sh restart router >/dev/null
        scripts/stack/restart-component.sh restart batch-worker >/dev/null
    fi
    echo "putting the gateway back on its usual build and batch item allowance"
    env -u GATEWAY_RATE_LIMIT_BATCH_ITEMS_LIMIT -u GATEWAY_RATE_LIMIT_BATCH_ITEMS_BURST \
        scripts/stack/restart-component.sh restart gateway >/dev/null
}
trap restore EXIT

echo "restarting router, batch-worker and gateway from $build builds"
STACK_SWIFT_BUILD=$build scripts/stack/restart-component.sh restart router >/dev/null
STACK_SWIFT_BUILD=$build scripts/stack/restart-component.sh restart batch-worker >/dev/null
# The gateway too, with a batch item allowance (10,000 items a minute by default) that admits
# every round's job at once.
GATEWAY_RATE_LIMIT_BATCH_ITEMS_LIMIT=100000000 GATEWAY_RATE_LIMIT_BATCH_ITEMS_BURST=100000000 \
    STACK_SWIFT_BUILD=$build scripts/stack/restart-component.sh restart gateway >/dev/null

"$py" - "$work" "$items" "$batch" <<'PY'
import json, sys
work, items, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def tensor(name, values, rows):
    return {"name": name, "datatype": "INT32", "shape": [rows, 16], "data": values}
with open(f"{work}/items.jsonl", "w") as out:
    for i in range(items):
        inputs = [tensor("INPUT0", [(i + k) % 1000 for k in range(16)], 1), tensor("INPUT1", [1] * 16, 1)]
        out.write(json.dumps({"id": f"item-{i:06d}", "inputs": inputs}) + "\n")
first = [[(i + k) % 1000 for k in range(16)] for i in range(batch)]
body = {"inputs": [tensor("INPUT0", sum(first, []), batch), tensor("INPUT1", [1] * 16 * batch, batch)]}
with open(f"{work}/direct.json", "w") as out:
    json.dump(body, out)
# A full shard as the worker writes it: one output line per item of a batch (two INT32 [1,16]).
with open(f"{work}/shard.jsonl", "w") as out:
    for i in range(batch):
        output = {"id": f"item-{i:06d}", "model_name": "simple", "model_version": "1",
                  "outputs": [{"name": n, "datatype": "INT32", "shape": [1, 16], "data": list(range(100, 116))}
                              for n in ("OUTPUT0", "OUTPUT1")]}
        out.write(json.dumps(output, separators=(",", ":")) + "\n")
PY

now() { date +%s.%N; }

direct_round() {
    # hey sends a multiple of its connection count.
    local lanes=$((concurrency / 2)) per start
    per=$((items / batch / 2 / lanes * lanes))
    start=$(now)
    hey -n "$per" -c "$lanes" -m POST -T application/json -D "$work/direct.json" \
        "$TRITON_A_URL/v2/models/simple/infer" >"$work/hey-a" &
    hey -n "$per" -c "$lanes" -m POST -T application/json -D "$work/direct.json" \
        "$TRITON_B_URL/v2/models/simple/infer" >"$work/hey-b"
    wait
    if ! grep -q "\[200\].*$per responses" "$work/hey-a" || ! grep -q "\[200\].*$per responses" "$work/hey-b"; then
        echo "direct calls failed" >&2
        cat "$work/hey-a" "$work/hey-b" >&2
        exit 1
    fi
    awk -v n=$((per * 2 * batch)) -v s="$start" -v e="$(now)" 'BEGIN {printf "%.0f\n", n / (e - s)}'
}

worker_round() {
    local start job answer status deadline completed=""
    start=$(now)
    job=$("$inferctl" batch submit "$work/items.jsonl" --model simple) || { echo "submit failed" >&2; exit 1; }
    deadline=$((SECONDS + 600))
    while ((SECONDS < deadline)); do
        answer=$(curl -fsS -H "x-api-key: $DEMO_API_KEY" "$GATEWAY_URL/v1/batches/$job")
        status=$("$py" -c 'import json,sys; j=json.load(sys.stdin); print(j["status"], j["succeeded"], "files" if j.get("output_url") else "-")' <<<"$answer")
        [[ -z "$completed" && "$status" == completed* ]] && completed=$(now)
        [[ "$status" == *files ]] && break
        sleep 0.1
    done
    [[ "$status" == "completed $items files" ]] || { echo "job $job ended as: $answer" >&2; exit 1; }
    awk -v n="$items" -v s="$start" -v c="$completed" -v e="$(now)" 'BEGIN {printf "%.0f %.0f\n", n / (c - s), n / (e - s)}'
}

direct_round >/dev/null # warm-up
direct=() worker=() files=()
for ((i = 1; i <= rounds; i++)); do
    direct+=("$(direct_round)")
    read -r rate with_files < <(worker_round) || true
    [[ -n "${with_files:-}" ]] || { echo "worker round $i failed" >&2; exit 1; }
    worker+=("$rate")
    files+=("$with_files")
    echo "round $i: direct ${direct[-1]} items/s | worker ${worker[-1]} items/s (${files[-1]} with result files)"
done

# The S3 server alone: a throwaway SeaweedFS without credentials, PUTs of one full shard.
read -r -a ports < <("$py" -c '
import socket
socks = [socket.socket() for _ in range(10)]
for s in socks: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))')
mkdir -p "$work/s3"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$STACK_VENV/bin/weed" mini -dir="$work/s3" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
    -s3.port="${ports[0]}" -s3.port.grpc="${ports[1]}" -master.port="${ports[2]}" -master.port.grpc="${ports[3]}" \
    -volume.port="${ports[4]}" -volume.port.grpc="${ports[5]}" -filer.port="${ports[6]}" \
    -filer.port.grpc="${ports[7]}" -admin.port="${ports[8]}" -admin.port.grpc="${ports[9]}" \
    -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false -admin.ui=false -master.telemetry=false \
    >"$work/weed.log" 2>&1 &
weed_pid=$!
s3="http://127.0.0.1:${ports[0]}"
for ((i = 0; i < 60; i++)); do curl -fsS -X PUT "$s3/bench" -o /dev/null 2>/dev/null && break; sleep 0.5; done
hey -n 2000 -c 64 -m PUT -T application/x-ndjson -D "$work/shard.jsonl" "$s3/bench/warm.jsonl" >/dev/null
puts=$((items / 64 * 64))
hey -n "$puts" -c 64 -m PUT -T application/x-ndjson -D "$work/shard.jsonl" "$s3/bench/shard.jsonl" >"$work/hey-s3"
grep -q "\[200\].*$puts responses" "$work/hey-s3" || { echo "S3 PUTs failed" >&2; cat "$work/hey-s3" >&2; exit 1; }
put_rate=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$work/hey-s3")

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
d=$(printf '%s\n' "${direct[@]}" | median)
w=$(printf '%s\n' "${worker[@]}" | median)
f=$(printf '%s\n' "${files[@]}" | median)
echo "direct Triton (batch $batch, $concurrency in flight, inference only): median $d items/s"
echo "batch worker ($build, submit -> completed, $items items):              median $w items/s"
echo "batch worker ($build, submit -> result files written):                 median $f items/s"
echo "S3 server alone (PUT of one $(wc -c <"$work/shard.jsonl")-byte shard of $batch items, 64 connections): $put_rate PUT/s = $((put_rate * batch)) items/s"
awk -v w="$w" -v d="$d" -v p="$((put_rate * batch))" \
    -v f="$f" 'BEGIN {printf "worker / direct = %.2f (%.2f with result files); S3 PUT ceiling (items/s) / direct = %.2f\n", w / d, f / d, p / d}'
