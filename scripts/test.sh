#!/usr/bin/env bash
# The test command (`make test`): installs what the build needs, builds with warnings as errors,
# brings the local stack up if needed, runs the whole Swift test suite against the real services,
# then the fault tests (which kill and restart a Triton, so they run alone), bounded fuzzing and
# schemathesis, the deployment checks, a k6 smoke run and the image build check, and stops the
# stack if this script started it. Every server is required (REQUIRE_STACK=1): a missing one fails.
set -euo pipefail
cd "$(dirname "$0")/.."

stack_was_up=0
if [ -f .stack/env ] && bash scripts/stack/status.sh >/dev/null 2>&1; then stack_was_up=1; fi

stop_stack() {
  local code=$?
  if [ "$stack_was_up" = 0 ]; then bash scripts/stack/down.sh || true; fi
  exit "$code"
}
trap stop_stack EXIT

bash scripts/stack/install.sh
swift build --build-tests
bash scripts/stack/up.sh

set -a
# shellcheck disable=SC1091
. .stack/env
set +a
export REQUIRE_STACK=1
# librdkafka: build against Debian's headers, run against the broker-compatible library.
export LD_LIBRARY_PATH="${RDKAFKA_LIBRARY_PATH}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# The model repository: every config parses as Triton's ModelConfig; training reproduces the weights.
"$STACK_VENV/bin/python" triton-models/tools/check_configs.py
"$STACK_VENV/bin/python" triton-models/tools/train_digits.py --check
# The gRPC protos: every field number and type as in the stock client's descriptors.
"$STACK_VENV/bin/python" scripts/proto/check-wire-compatibility.py

results=$(mktemp)
swift test --skip-build "$@" 2>&1 | tee "$results"
FAULT_TESTS=1 swift test --skip-build --filter "RouterFaultTests|BatchWorkerFaultTests" 2>&1 | tee -a "$results"
# Kills triton-a again, under a gRPC load: alone, so no other test kills it at the same time.
FAULT_TESTS=1 swift test --skip-build --filter "RouterGRPCFaultTests" 2>&1 | tee -a "$results"
# Stops both Tritons: alone, after the others.
FAULT_TESTS=1 swift test --skip-build --filter "BatchExpiryFaultTests" 2>&1 | tee -a "$results"
# Both runs passed (pipefail): one closing line with the total.
total=$(grep -aoE 'Test run with [0-9]+ tests' "$results" | awk '{sum += $4} END {print sum + 0}')
rm -f "$results"

# Hostile input: bounded libFuzzer runs of the pure readers (JSON and binary infer bodies, JSON Lines
# uploads, multipart images) over their committed corpora, then schemathesis against
# docs/openapi.yaml on the live gateway (a bounded number of cases, no 5xx allowed).
FUZZ_SECONDS="${FUZZ_SECONDS:-45}" bash scripts/fuzz.sh
bash scripts/schemathesis.sh

# Deployment artifacts (kustomize overlays, checkov, promtool, compose) and a k6 smoke run
# against the running gateway; both fail on any finding or threshold breach.
bash scripts/validate-deploy.sh
bash scripts/loadtest-smoke.sh

# The image without Docker: the Dockerfile's build step (a release build of every executable,
# each started), then each binary in a debootstrapped bookworm root file system holding exactly
# the runtime packages the Dockerfile installs.
timed() { local t=$SECONDS; "$@"; echo "ci: $(basename "$2") took $((SECONDS - t)) s"; }
timed bash scripts/image/build-products.sh .build-image/bin
timed bash scripts/image/check-runtime.sh .build-image/bin
echo "swift: ${total} passed, 0 failed"
