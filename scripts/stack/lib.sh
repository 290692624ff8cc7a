# shellcheck shell=bash
# Helpers shared by the local stack scripts (install, up, down, status,
# restart-component). Sourced, never executed directly.
#
# Process model: every component runs in the background as its own process-group leader
# (setsid), so its pid is also its process-group id. The pid and the resolved
# path of the executable are recorded in .stack/pids/<component>.pid; a pid
# only counts as "ours" while /proc/<pid>/exe still points at that executable,
# so a stale pid file can never make us signal an unrelated process.

# shellcheck disable=SC2034 # (paths used by the scripts that source this file)
{
STACK_SCRIPTS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)"
REPO_ROOT="$(cd "$STACK_SCRIPTS_DIR/../.." && pwd -P)"
STACK_DIR="$REPO_ROOT/.stack"
VENV="$STACK_DIR/venv"
VENV_PYTHON="$VENV/bin/python"
SITE_PACKAGES="$VENV/lib/python3.11/site-packages"
LOG_DIR="$STACK_DIR/logs"
PID_DIR="$STACK_DIR/pids"
DATA_DIR="$STACK_DIR/data"
RUN_DIR="$STACK_DIR/run"
RDKAFKA_LIB_DIR="$STACK_DIR/lib"
TRITON_BACKENDS_DIR="$STACK_DIR/triton-backends"
SETTINGS_FILE="$STACK_DIR/settings.env"
ENV_FILE="$STACK_DIR/env"
MODEL_REPOSITORY="$REPO_ROOT/triton-models/repository"
# Models for tests only (fault injection), a second repository of the stack's Tritons.
FAULT_MODEL_REPOSITORY="$REPO_ROOT/triton-models/fault-injection"
MODELS_TESTDATA="$REPO_ROOT/triton-models/testdata"
}

log() { printf '[stack] %s\n' "$*" >&2; }
warn() { printf '[stack] WARNING: %s\n' "$*" >&2; }
die() {
    printf '[stack] ERROR: %s\n' "$*" >&2
    exit 1
}

# Settings: explicit environment > values saved by the last `up` > config/stack.env.
load_settings() {
    if [[ -f "$SETTINGS_FILE" ]]; then
        # shellcheck disable=SC1090
        source "$SETTINGS_FILE"
    fi
    # shellcheck disable=SC1091
    source "$REPO_ROOT/config/stack.env"
}

# Save the settings in force, in a form that still lets the environment win.
save_settings() {
    mkdir -p "$STACK_DIR"
    local name tmp="$SETTINGS_FILE.tmp"
    {
        echo "# Settings used by the last 'make up' (generated; delete to return to config/stack.env)."
        # Exactly the settings named in config/stack.env.
        # shellcheck disable=SC2016 # literal ${ in the pattern
        for name in $(grep -o '\${STACK_[A-Z0-9_]*:=' "$REPO_ROOT/config/stack.env" | tr -d '${:='); do
            printf '[[ -v %s ]] || %s=%q\n' "$name" "$name" "${!name}"
        done
    } >"$tmp"
    mv "$tmp" "$SETTINGS_FILE"
}

ensure_dirs() { mkdir -p "$LOG_DIR" "$PID_DIR" "$DATA_DIR" "$RUN_DIR"; }

# Map a component name to its shell function, e.g. "triton-a" + "start" -> triton_a_start.
component_fn() { printf '%s_%s' "${1//-/_}" "$2"; }
has_component_fn() { declare -F "$(component_fn "$1" "$2")" >/dev/null; }
call_component() {
    local name=$1 fn=$2
    shift 2
    "$(component_fn "$name" "$fn")" "$@"
}

is_component() {
    local c
    for c in "${COMPONENTS[@]}"; do [[ "$c" == "$1" ]] && return 0; done
    return 1
}

# --------------------------------------------------------------------- processes

pid_file() { printf '%s/%s.pid' "$PID_DIR" "$1"; }

recorded_pid() {
    local file
    file=$(pid_file "$1")
    [[ -f "$file" ]] && sed -n 1p "$file"
    return 0
}

# Alive and not a zombie (pid 1 here may not reap orphans).
pid_alive() {
    local pid=$1 state
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 1
    state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [[ "$state" != "Z" && "$state" != "X" ]]
}

# Any process left in the process group $1 (ignoring zombies)?
group_alive() {
    local pgid=$1 pid
    for pid in $(pgrep -g "$pgid" 2>/dev/null); do
        pid_alive "$pid" && return 0
    done
    return 1
}

# Is the component's recorded process running (and still the same program)?
is_running() {
    local file pid exe
    file=$(pid_file "$1")
    [[ -f "$file" ]] || return 1
    pid=$(sed -n 1p "$file")
    exe=$(sed -n 2p "$file")
    [[ "$pid" =~ ^[0-9]+$ ]] && ((pid > 1)) || return 1
    pid_alive "$pid" || return 1
    # A rebuilt binary shows as "PATH (deleted)" while the old process runs: still ours.
    local actual
    actual=$(readlink "/proc/$pid/exe" 2>/dev/null) || return 1
    [[ -z "$exe" || "$actual" == "$exe" || "$actual" == "$exe (deleted)" ]]
}

# launch NAME EXECUTABLE [ARGS...]
# Starts EXECUTABLE as a new process-group leader (setsid), output appended to .stack/logs/NAME.log,
# and records its pid. Environment for the process: prefix the call with
# variable assignments (NAME=value launch ...). A caller may set the array
# LAUNCH_PREFIX (e.g. setpriv ... to change user) to wrap the program; the
# wrapper must exec it. Waits (bounded) until the pid runs the expected program.
launch() {
    local name=$1 exe_path=$2
    shift 2
    local exe log pid deadline
    exe=$(readlink -f "$exe_path") || die "$name: executable $exe_path not found"
    [[ -x "$exe" ]] || die "$name: $exe is not executable"
    log="$LOG_DIR/$name.log"
    printf '\n===== %s starting %s =====\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$name" >>"$log"
    set +m # no job control: the background child is not a group leader, so setsid does not fork
    setsid ${LAUNCH_PREFIX[@]+"${LAUNCH_PREFIX[@]}"} "$exe_path" "$@" </dev/null >>"$log" 2>&1 &
    pid=$!
    printf '%s\n%s\n' "$pid" "$exe" >"$(pid_file "$name")"
    deadline=$((SECONDS + 10))
    while [[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != "$exe" ]]; do
        pid_alive "$pid" || break
        ((SECONDS < deadline)) || break
        sleep 0.05
    done
    log "$name: started (pid $pid, log $log)"
}

# stop_recorded NAME [SIGNAL]
# Sends SIGNAL (default TERM) to the recorded process, waits up to
# STACK_STOP_TIMEOUT seconds, then SIGKILLs its process group (this also takes
# down children it left behind, e.g. Triton's Python backend stubs).
# Only a verified pid (is_running: alive and still the recorded executable) is
# ever signalled; a stale pid file is just removed.
stop_recorded() {
    local name=$1 signal=${2:-TERM} pid deadline
    pid=$(recorded_pid "$name")
    if [[ -z "$pid" ]]; then
        return 0
    fi
    if ! [[ "$pid" =~ ^[0-9]+$ ]] || ((pid <= 1)) || ! is_running "$name"; then
        rm -f "$(pid_file "$name")"
        return 0
    fi
    log "$name: stopping pid $pid (SIG$signal)"
    kill "-$signal" "$pid" 2>/dev/null || true
    deadline=$((SECONDS + ${STACK_STOP_TIMEOUT:-30}))
    while pid_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if pid_alive "$pid"; then
        warn "$name: pid $pid still running after ${STACK_STOP_TIMEOUT:-30}s, sending SIGKILL"
    fi
    kill_group "$pid"
    rm -f "$(pid_file "$name")"
}

# kill_group PGID: SIGKILL whatever is left in a process group we created
# (setsid made the component's pid its group id), and wait for it to go.
kill_group() {
    local pgid=$1 deadline
    [[ "$pgid" =~ ^[0-9]+$ ]] && ((pgid > 1)) || return 0
    [[ "$pgid" != "$(ps -o pgid= -p $$ | tr -d ' ')" ]] || return 0 # never our own group
    if group_alive "$pgid"; then
        kill -KILL -- "-$pgid" 2>/dev/null || true
        deadline=$((SECONDS + 10))
        while group_alive "$pgid" && ((SECONDS < deadline)); do sleep 0.1; done
    fi
}

# wait_healthy NAME: poll the component's health check until it passes,
# the process exits, or STACK_WAIT_TIMEOUT seconds pass.
wait_healthy() {
    local name=$1 timeout=${STACK_WAIT_TIMEOUT:-180} start=$SECONDS
    local deadline=$((SECONDS + timeout))
    while true; do
        if ! is_running "$name"; then
            component_failed "$name" "its process exited"
            return 1
        fi
        if call_component "$name" health >/dev/null 2>&1; then
            log "$name: healthy after $((SECONDS - start))s"
            return 0
        fi
        if ((SECONDS >= deadline)); then
            component_failed "$name" "not healthy within ${timeout}s"
            return 1
        fi
        sleep 0.5
    done
}

component_failed() {
    local name=$1 why=$2 log="$LOG_DIR/$1.log"
    printf '[stack] ERROR: component %s failed to start: %s. Log: %s\n' "$name" "$why" "$log" >&2
    if [[ -f "$log" ]]; then
        printf '[stack] last lines of %s:\n' "$log" >&2
        tail -n 20 "$log" | sed 's/^/    /' >&2
    fi
}

# Polling helper for one-off conditions: wait_until SECONDS DESCRIPTION CMD...
wait_until() {
    local timeout=$1 what=$2
    shift 2
    local deadline=$((SECONDS + timeout))
    until "$@" >/dev/null 2>&1; do
        ((SECONDS < deadline)) || {
            warn "timed out after ${timeout}s waiting for $what"
            return 1
        }
        sleep 0.2
    done
}

# Is something (anything) listening on 127.0.0.1:PORT?
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
