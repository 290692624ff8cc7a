#!/usr/bin/env bash
# Stops the local stack (make down): stops exactly the processes whose pids
# were recorded (SIGTERM, then SIGKILL after STACK_STOP_TIMEOUT), PostgreSQL
# with pg_ctl, and removes the throwaway data folders, .stack/env and the
# saved settings (the next `up` reads config/stack.env and the environment).
# The venv, installed packages and logs stay.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local i name
    load_settings
    source "$STACK_SCRIPTS_DIR/components.sh"
    ensure_dirs
    # Reverse start order: dependants first.
    for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
        name=${COMPONENTS[i]}
        stop_component "$name"
        if has_component_fn "$name" cleanup; then call_component "$name" cleanup; fi
    done
    rm -f "$ENV_FILE" "$SETTINGS_FILE"
    rm -rf "$DATA_DIR" "$RUN_DIR"
    log "stack stopped"
}

main "$@"
