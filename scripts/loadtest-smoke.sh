#!/usr/bin/env bash
# A short k6 run against the local stack (make loadtest-smoke, CI): health, metadata, then
# ~30 s of KServe v2 inference at 20 requests/s; exits non-zero when a threshold
# (p95, p99, error rate) is breached or the target is not up.
# Target: BASE_URL if set; else the gateway (GATEWAY_URL with DEMO_API_KEY) when .stack/env
# has one; else the router (ROUTER_URL). Other settings: see loadtest/lib/config.js.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=deploy/tools.sh
source scripts/deploy/tools.sh
deploy_tools_install

if [[ -f .stack/env ]]; then
    # shellcheck disable=SC1091
    . .stack/env
fi
if [[ -z "${BASE_URL:-}" ]]; then
    if [[ -n "${GATEWAY_URL:-}" && -n "${DEMO_API_KEY:-}" ]]; then
        BASE_URL="$GATEWAY_URL"
        API_KEY="${API_KEY:-$DEMO_API_KEY}"
    elif [[ -n "${ROUTER_URL:-}" ]]; then
        BASE_URL="$ROUTER_URL"
    else
        echo "loadtest-smoke: no target: set BASE_URL or start the local stack (make up)" >&2
        exit 2
    fi
fi
export BASE_URL API_KEY="${API_KEY:-}" MODEL="${MODEL:-simple}"

mkdir -p loadtest/results
export SUMMARY_FILE="${SUMMARY_FILE:-loadtest/results/smoke-summary.json}"
echo "loadtest-smoke: $BASE_URL model=$MODEL${API_KEY:+ (with API key)}"
"$K6" run --quiet --no-color "${@}" loadtest/smoke.js
