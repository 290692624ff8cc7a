#!/usr/bin/env bash
# Property-based API testing of the live gateway of the local stack against docs/openapi.yaml:
# schemathesis generates valid and malformed requests for every operation (examples, coverage
# and fuzzing phases, a bounded number of cases each) and fails on any 5xx answer.
#
# Needs the stack up (`make up`; .stack/env gives GATEWAY_URL and DEMO_API_KEY). Installs the
# pinned schemathesis of scripts/fuzz-requirements.txt into the stack venv when it is missing.
#
# Environment:
#   SCHEMATHESIS_MAX_EXAMPLES  cases per operation in the fuzzing phase (default 100)
#   SCHEMATHESIS_SEED          random seed (default: a new one each run, printed)
#   SCHEMATHESIS_WORKERS       concurrent workers (default 1)
#   SCHEMATHESIS_MAX_TIME      a time budget in seconds instead: fuzzing then repeats until it is
#                              spent (default: none, the run stops after the bounded cases)
#   SCHEMATHESIS_CHECKS        checks to run (default not_a_server_error)
#   SCHEMATHESIS_RATE          request rate (default 20/s: under the demo key's 50/s, so cases
#                              reach validation instead of 429, with room for other clients)
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -f .stack/env ]; then
  echo "schemathesis: .stack/env is missing; start the local stack first (make up)" >&2
  exit 1
fi
set -a
# shellcheck disable=SC1091
. .stack/env
set +a
: "${GATEWAY_URL:?.stack/env has no GATEWAY_URL}"
: "${DEMO_API_KEY:?.stack/env has no DEMO_API_KEY}"
case "$GATEWAY_URL" in
  http://127.0.0.1:* | http://localhost:* | http://\[::1\]:*) ;;
  *)
    echo "schemathesis: GATEWAY_URL=$GATEWAY_URL is not a loopback address; refusing" >&2
    exit 1
    ;;
esac

venv=${STACK_VENV:-.stack/venv}
wanted=$(grep -E '^schemathesis==' scripts/fuzz-requirements.txt | cut -d= -f3)
installed=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("schemathesis"))' 2>/dev/null || true)
if [ "$installed" != "$wanted" ]; then
  echo "schemathesis: installing schemathesis $wanted into $venv"
  "$venv/bin/pip" install --quiet -r scripts/fuzz-requirements.txt
fi

report=$(mktemp -d "${TMPDIR:-/tmp}/schemathesis.XXXXXX")
args=(
  run docs/openapi.yaml
  --url "$GATEWAY_URL"
  --header "x-api-key: $DEMO_API_KEY"
  --checks "${SCHEMATHESIS_CHECKS:-not_a_server_error}"
  --phases examples,coverage,fuzzing
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-100}"
  --workers "${SCHEMATHESIS_WORKERS:-1}"
  --request-timeout 30
  --rate-limit "${SCHEMATHESIS_RATE:-20/s}"
  --generation-database none
  --suppress-health-check all
  --continue-on-failure
  --report junit --report-dir "$report"
  --no-color
)
if [ -n "${SCHEMATHESIS_SEED:-}" ]; then args+=(--seed "$SCHEMATHESIS_SEED"); fi
if [ -n "${SCHEMATHESIS_MAX_TIME:-}" ]; then args+=(--max-time "$SCHEMATHESIS_MAX_TIME"); fi

started=$(date +%s)
status=0
"$venv/bin/schemathesis" "${args[@]}" 2>&1 | tee "$report/output.txt" || status=$?
echo "schemathesis: $(($(date +%s) - started)) s against $GATEWAY_URL; report in $report"
exit "$status"
