#!/usr/bin/env bash
# Stop, start or restart one component of the running local stack, by its
# recorded pid (used by tests: kill a Triton and bring it back, pause
# PostgreSQL for a while, ...).
#
#   restart-component.sh NAME            restart (graceful stop, start, wait healthy)
#   restart-component.sh stop NAME       graceful stop (SIGTERM, SIGKILL after a timeout)
#   restart-component.sh kill NAME       hard crash: SIGKILL to its process group
#   restart-component.sh start NAME      start if not running, wait until healthy
#   restart-component.sh restart NAME
#   restart-component.sh list            component names
# Data is kept across stop/start (only `make down` removes it).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() {
    sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

main() {
    local action name pid
    load_settings
    ensure_dirs
    source "$STACK_SCRIPTS_DIR/components.sh"
    case "${1:-}" in
        "" | -h | --help) usage ;;
        list)
            printf '%s\n' "${COMPONENTS[@]}"
            return 0
            ;;
        stop | kill | start | restart)
            action=$1
            name=${2:-}
            ;;
        *)
            action=restart
            name=$1
            ;;
    esac
    is_component "$name" || die "unknown component '$name' (known: ${COMPONENTS[*]})"

    case "$action" in
        stop) stop_component "$name" ;;
        kill)
            pid=$(recorded_pid "$name")
            if is_running "$name"; then
                log "$name: SIGKILL to process group $pid"
                kill_group "$pid"
            fi
            rm -f "$(pid_file "$name")"
            ;;
        start | restart)
            [[ "$action" == restart ]] && stop_component "$name"
            local rc=0
            start_component "$name" || rc=$?
            ((rc != 2)) || exit 1
            ready_component "$name"
            # A component may add to .stack/env when it starts (the router's admin token).
            write_env_file
            ;;
    esac
}

main "$@"
