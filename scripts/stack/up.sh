#!/usr/bin/env bash
# Starts the local stack (make up): installs what is missing, starts every
# component that is not already running, waits for each one's health check,
# runs its idempotent setup (topics, bucket, database), writes .stack/env and
# sends one sample request to Triton. Running components are left alone.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# bring_up NAME...: starts the named components (in parallel), then waits for each and runs its
# setup; appends the ones that did not come up to the caller's `failed`.
bring_up() {
    local -A cannot_start=()
    local name rc
    for name in "$@"; do
        rc=0
        start_component "$name" || rc=$?
        if ((rc == 2)); then cannot_start[$name]=1; fi
    done
    for name in "$@"; do
        if [[ -n "${cannot_start[$name]:-}" ]]; then
            failed+=("$name")
        else
            ready_component "$name" || failed+=("$name")
        fi
    done
}

main() {
    local start=$SECONDS name failed=()
    bash "$STACK_SCRIPTS_DIR/install.sh"
    load_settings
    save_settings
    ensure_dirs
    source "$STACK_SCRIPTS_DIR/components.sh"

    # Two phases: the servers (in parallel, each made ready and set up: database, topics, bucket),
    # then the project's services, which need those set up before they start.
    local infrastructure=() services=()
    for name in "${COMPONENTS[@]}"; do
        if [[ " ${SERVICE_COMPONENTS[*]} " == *" $name "* ]]; then services+=("$name"); else infrastructure+=("$name"); fi
    done
    bring_up "${infrastructure[@]}"
    if ((${#failed[@]} == 0)); then bring_up "${services[@]}"; fi
    if ((${#failed[@]} > 0)); then
        die "not up: ${failed[*]} (see the messages above; 'make down' stops what did start)"
    fi

    write_env_file
    log "all components healthy after $((SECONDS - start))s; endpoints in $ENV_FILE"

    if [[ "${STACK_SKIP_SAMPLE:-0}" != "1" ]]; then
        # shellcheck disable=SC1090
        source "$ENV_FILE"
        "$VENV_PYTHON" "$REPO_ROOT/scripts/sample_request.py"
    fi
}

main "$@"
