#!/usr/bin/env bash
# One line per component: running/stopped, pid, port, health.
# Exit status 0 when every component is running and healthy.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local name state pid port health all_ok=0
    load_settings
    source "$STACK_SCRIPTS_DIR/components.sh"
    printf '%-10s %-8s %-8s %-6s %s\n' COMPONENT STATE PID PORT HEALTH
    for name in "${COMPONENTS[@]}"; do
        port=$(call_component "$name" port)
        if is_running "$name"; then
            state=running
            pid=$(recorded_pid "$name")
            if call_component "$name" health >/dev/null 2>&1; then health=ok; else
                health=failing
                all_ok=1
            fi
        else
            state=stopped pid=- health=-
            all_ok=1
        fi
        printf '%-10s %-8s %-8s %-6s %s\n' "$name" "$state" "$pid" "$port" "$health"
    done
    [[ -f "$ENV_FILE" ]] && printf 'endpoints: %s\n' "$ENV_FILE"
    return $all_ok
}

main "$@"
