#!/usr/bin/env bash
# Batch worker throughput end to end against calling Triton directly, measured in one run.
#
# Method: after `make up`, the router, batch worker and gateway are restarted from BUILD binaries
# (release by default). For each model of MODELS (`simple digits`), ROUNDS times, alternating so
# drift on a noisy machine hits both sides:
#   direct  ITEMS items in requests of the model's max_batch_size (simple 8: two INT32 [16]
#           tensors as JSON; digits 32: held-out PNGs as a binary BYTES tensor), sent with `hey` to
#           triton-a and triton-b at once, CONCURRENCY/2 connections each (inference only:
#           nothing is stored);
#   worker  the same ITEMS as one JSON Lines job through the gateway (`inferctl batch submit`;
#           digits PNGs base64 in their items), timed from the submit call to the job's status
#           `completed` (polled every 100 ms): Kafka in, batches of max_batch_size through the
#           router, shards of grouped batches and one row per item, offsets committed; and,
#           separately, to its result files being written (`output_url` in the status).
# Then each bound on its own, so a missed target names its bound: the broker's consume rate for
# the same item messages (benchmarks/batch_bounds.py: produced to a new 4-partition topic, read
# back by a new group, timed from the first message to the last); the S3 server's PUT rate for a
# shard of 64 items of each model (a throwaway unauthenticated SeaweedFS, 64 connections; PUT/s
# × 64 = items/s); PostgreSQL's rate for the row writes (pgbench: groups of 64 item rows inserted with
# ON CONFLICT into a copy of batch_items with its indexes plus the job counter's update, 4
# clients). Printed: one markdown table of medians, ratios and bounds.
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

"$py" - "$work" "$items" <<'PY'
import base64, json, struct, sys
work, items = sys.argv[1], int(sys.argv[2])
batches = {"simple": 8, "digits": 32}  # each model's max_batch_size: the worker's batch too
def tensor(name, values, rows):
    return {"name": name, "datatype": "INT32", "shape": [rows, 16], "data": values}
# simple: JSON items; direct requests of 8 items as JSON.
with open(f"{work}/items-simple.jsonl", "w") as out:
    for i in range(items):
        inputs = [tensor("INPUT0", [(i + k) % 1000 for k in range(16)], 1), tensor("INPUT1", [1] * 16, 1)]
        out.write(json.dumps({"id": f"item-{i:06d}", "inputs": inputs}) + "\n")
n = batches["simple"]
first = [[(i + k) % 1000 for k in range(16)] for i in range(n)]
with open(f"{work}/direct-simple.body", "w") as out:
    json.dump({"inputs": [tensor("INPUT0", sum(first, []), n), tensor("INPUT1", [1] * 16 * n, n)]}, out)
with open(f"{work}/direct-simple.header", "w") as out:
    out.write("")
# digits: the held-out PNGs, base64 in JSON items; direct requests of 32 PNGs as a binary tensor.
pngs = [item["png_base64"] for item in json.load(open("triton-models/testdata/digits_holdout.json"))["items"]]
mark = {"content_type": "base64"}
with open(f"{work}/items-digits.jsonl", "w") as out:
    for i in range(items):
        image = {"name": "IMAGE", "datatype": "BYTES", "shape": [1, 1], "data": [pngs[i % len(pngs)]], "parameters": mark}
        out.write(json.dumps({"id": f"item-{i:06d}", "inputs": [image]}) + "\n")
n = batches["digits"]
raw = b"".join(struct.pack("<I", len(p)) + p for p in (base64.b64decode(pngs[i % len(pngs)]) for i in range(n)))
header = json.dumps({"inputs": [{"name": "IMAGE", "datatype": "BYTES", "shape": [n, 1],
                                 "parameters": {"binary_data_size": len(raw)}}]}).encode()
with open(f"{work}/direct-digits.body", "wb") as out:
    out.write(header + raw)
with open(f"{work}/direct-digits.header", "w") as out:
    out.write(str(len(header)))
# A shard of each model as the worker writes it: one output line per item of a group of finished
# batches (64 items: the worker's groups held 54-61 items in a 5,000-item job).
outputs = {"simple": [{"name": o, "datatype": "INT32", "shape": [1, 16], "data": list(range(100, 116))}
                      for o in ("OUTPUT0", "OUTPUT1")],
           "digits": [{"name": "PROBABILITIES", "datatype": "FP32", "shape": [1, 10],
                       "data": [0.0012345678] * 9 + [0.98765432]}]}
for model, n in batches.items():
    with open(f"{work}/shard-{model}.jsonl", "w") as out:
        for i in range(64):
            line = {"id": f"item-{i:06d}", "model_name": model, "model_version": "1", "outputs": outputs[model]}
            out.write(json.dumps(line, separators=(",", ":")) + "\n")
    with open(f"{work}/batch-{model}", "w") as out:
        out.write(str(n))
PY

now() { date +%s.%N; }

direct_round() {
    # hey sends a multiple of its connection count.
    local model=$1 lanes=$((concurrency / 2)) per start batch type header
    batch=$(cat "$work/batch-$model")
    per=$((items / batch / 2 / lanes * lanes))
    header=$(cat "$work/direct-$model.header")
    type=application/json
    local extra=()
    if [[ -n "$header" ]]; then
        type=application/octet-stream
        extra=(-H "Inference-Header-Content-Length: $header")
    fi
    start=$(now)
    hey -n "$per" -c "$lanes" -m POST -T "$type" "${extra[@]}" -D "$work/direct-$model.body" \
        "$TRITON_A_URL/v2/models/$model/versions/1/infer" >"$work/hey-a" &
    hey -n "$per" -c "$lanes" -m POST -T "$type" "${extra[@]}" -D "$work/direct-$model.body" \
        "$TRITON_B_URL/v2/models/$model/versions/1/infer" >"$work/hey-b"
    wait
    if ! grep -q "\[200\].*$per responses" "$work/hey-a" || ! grep -q "\[200\].*$per responses" "$work/hey-b"; then
        echo "direct calls to $model failed" >&2
        cat "$work/hey-a" "$work/hey-b" >&2
        exit 1
    fi
    awk -v n=$((per * 2 * batch)) -v s="$start" -v e="$(now)" 'BEGIN {printf "%.0f\n", n / (e - s)}'
}

worker_round() {
    local model=$1 start job answer status deadline completed=""
    start=$(now)
    job=$("$inferctl" batch submit "$work/items-$model.jsonl" --model "$model" --version 1) ||
        { echo "submit failed" >&2; exit 1; }
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

models=(${MODELS:-simple digits})
for model in "${models[@]}"; do direct_round "$model" >/dev/null; done # warm-up
declare -A direct worker files
for ((i = 1; i <= rounds; i++)); do
    for model in "${models[@]}"; do
        d=$(direct_round "$model")
        read -r rate with_files < <(worker_round "$model") || true
        [[ -n "${with_files:-}" ]] || { echo "worker round $i ($model) failed" >&2; exit 1; }
        direct[$model]+="$d "
        worker[$model]+="$rate "
        files[$model]+="$with_files "
        echo "round $i $model: direct $d items/s | worker $rate items/s ($with_files with result files)"
    done
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
hey -n 2000 -c 64 -m PUT -T application/x-ndjson -D "$work/shard-simple.jsonl" "$s3/bench/warm.jsonl" >/dev/null
declare -A s3_items broker_items
for model in "${models[@]}"; do
    puts=$((items / 64 * 64))
    hey -n "$puts" -c 64 -m PUT -T application/x-ndjson -D "$work/shard-$model.jsonl" "$s3/bench/shard-$model.jsonl" >"$work/hey-s3"
    grep -q "\[200\].*$puts responses" "$work/hey-s3" || { echo "S3 PUTs failed" >&2; cat "$work/hey-s3" >&2; exit 1; }
    s3_items[$model]=$(awk '/Requests\/sec/ {printf "%.0f", $2 * 64}' "$work/hey-s3")
    # The broker alone: the same item messages produced to a new 4-partition topic and read back.
    broker_items[$model]=$("$py" benchmarks/batch_bounds.py "$KAFKA_BROKERS" "$work/items-$model.jsonl" 4)
done

# PostgreSQL alone: pgbench transactions shaped as the worker's (one group of 64 item rows inserted
# with ON CONFLICT into a copy of batch_items with its indexes, and the job's counter row
# updated), 4 clients on one job row, 8 s; rows/s = tps x 64.
pg_group=64
"$py" - "$work" "$pg_group" <<'PY'
import sys
work, group = sys.argv[1], int(sys.argv[2])
with open(f"{work}/pg.sql", "w") as out:
    out.write(f"""\\set job random(1, 2000000000)
BEGIN;
INSERT INTO bench_items (job_id, item_id, status, output_uri, output_offset, output_length, position, attempts, latency_ms)
SELECT md5(:job::text || ':' || :client_id)::uuid, 'item-' || g, 'succeeded',
       's3://inference-outputs/batch/job/shards/0-100-227.jsonl', g * 420, 420, g, 1, 1.5
FROM generate_series(1, {group}) AS g
ON CONFLICT (job_id, item_id) DO UPDATE SET status = EXCLUDED.status WHERE bench_items.status = 'pending';
UPDATE bench_jobs SET succeeded = succeeded + {group}, updated_at = now() WHERE id = 1;
END;
""")
PY
psql "$POSTGRES_URL" -qX -c "DROP TABLE IF EXISTS bench_items, bench_jobs; CREATE TABLE bench_items (LIKE batch_items INCLUDING ALL); CREATE TABLE bench_jobs (id int PRIMARY KEY, succeeded bigint NOT NULL DEFAULT 0, updated_at timestamptz); INSERT INTO bench_jobs (id) VALUES (1);" >/dev/null
pg_tps=$(pgbench -n -c 4 -j 2 -T 8 -f "$work/pg.sql" "$POSTGRES_URL" 2>/dev/null | awk '/^tps/ {printf "%.0f", $3}')
psql "$POSTGRES_URL" -qX -c "DROP TABLE IF EXISTS bench_items, bench_jobs" >/dev/null
pg_items=$((pg_tps * pg_group))

median() { tr ' ' '\n' | grep . | sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
echo
echo "$items items per job, $rounds rounds, $build build, medians in items/s; bounds measured alone in the same run"
echo
echo "| model (batch) | direct Triton | worker → completed | ratio | worker → result files | ratio | broker consume | S3 PUT of 64-item shards | PostgreSQL rows |"
echo "|---|---|---|---|---|---|---|---|---|"
for model in "${models[@]}"; do
    d=$(median <<<"${direct[$model]}")
    w=$(median <<<"${worker[$model]}")
    f=$(median <<<"${files[$model]}")
    awk -v m="$model" -v b="$(cat "$work/batch-$model")" -v d="$d" -v w="$w" -v f="$f" -v k="${broker_items[$model]}" \
        -v s="${s3_items[$model]}" -v p="$pg_items" \
        'BEGIN {printf "| %s (%d) | %.0f | %.0f | %.2f | %.0f | %.2f | %.0f | %.0f | %.0f |\n", m, b, d, w, w / d, f, f / d, k, s, p}'
done
