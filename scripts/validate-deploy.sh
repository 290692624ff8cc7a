#!/usr/bin/env bash
# Validates every deployment artifact with the real tools (make validate-deploy, CI):
#   1. yamllint over k8s/, deploy/, docker-compose.yml, .github/workflows
#   2. each overlay rendered with `kubectl kustomize` and validated strictly with
#      kubernetes-validate (unknown fields are errors), the example Secrets too, plus the
#      project's own manifest checks (scripts/deploy/check_manifests.py)
#   3. checkov on k8s/ (kustomize), the rendered overlays, both Dockerfiles, the GitHub workflows,
#      and a secrets scan: any failed check fails (skips live in the files, each with its reason)
#   3b. the Triton image (triton-models/Dockerfile) installs every third-party package the
#      models import; a copy without Pillow must fail that check (the check can fail)
#   4. promtool: check config, check rules, test rules
#   5. docker-compose.yml: structure and consistency with .env.example, the configs it mounts
#      and the Prometheus targets; `docker compose config` too when a Docker CLI with compose exists
#   6. Grafana dashboards parse; every platform metric they and the alerts use exists in Sources
#   7. k6 scripts load (k6 inspect)
# Installs what it needs (scripts/deploy/tools.sh). Exit status: non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
# shellcheck source=deploy/tools.sh
source scripts/deploy/tools.sh
deploy_tools_install
PY="$DEPLOY_VENV/bin/python"

OUT="${DEPLOY_OUT:-$ROOT/.build-deploy}"
mkdir -p "$OUT"
step() { printf '\n== %s\n' "$*"; }
started=$(date +%s)

step "yamllint"
yamllint --strict -c .yamllint.yml k8s deploy docker-compose.yml .github/workflows loadtest
echo "yamllint: ok"
# Actions are pinned by commit: a moved tag must not change what a job that writes packages runs.
if unpinned=$(grep -nE '^\s*(-\s+)?uses:' .github/workflows/*.yml | grep -vE '@[0-9a-f]{40}(\s|$)'); then
    echo "workflow actions not pinned by commit:" >&2
    echo "$unpinned" >&2
    exit 1
fi
echo "workflow actions: pinned by commit"

step "kustomize render + kubernetes-validate --strict"
# The base alone: what the overlays' `images:` entries must name (its schema is checked through them).
"$KUBECTL" kustomize k8s/base >"$OUT/base.yaml"
kubernetes-validate --strict --quiet k8s/examples/secrets.example.yaml
echo "base: rendered to ${OUT#"$ROOT"/}/base.yaml; k8s/examples/secrets.example.yaml schema-valid"
overlays=()
for dir in k8s/overlays/*/; do
    env="$(basename "$dir")"
    overlays+=("$OUT/$env.yaml")
    "$KUBECTL" kustomize "$dir" >"$OUT/$env.yaml"
    count=$(grep -c '^kind:' "$OUT/$env.yaml")
    kubernetes-validate --strict --quiet "$OUT/$env.yaml"
    echo "$env: $count resources rendered to ${OUT#"$ROOT"/}/$env.yaml, schema-valid"
done
"$PY" scripts/deploy/check_manifests.py --base "$OUT/base.yaml" "${overlays[@]}"

step "checkov (kustomize, rendered overlays, Dockerfile, workflows, secrets)"
export BC_SKIP_MAPPING=TRUE
# Without a network checkov logs that it cannot fetch its guideline links: kept in a log file.
checkov_run() {
    if ! checkov --compact --quiet --skip-download --output cli "$@" 2>>"$OUT/checkov.log"; then
        echo "checkov failed: $*  (log: ${OUT#"$ROOT"/}/checkov.log)" >&2
        return 1
    fi
}
: >"$OUT/checkov.log"
checkov_run --framework kustomize -d k8s
checkov_run --framework kubernetes -f "${overlays[@]}"
checkov_run --framework dockerfile -f Dockerfile triton-models/Dockerfile
checkov_run --framework github_actions -d .github/workflows
checkov_run --framework secrets -f docker-compose.yml .env.example -d k8s -d deploy -d loadtest
echo "checkov: no failed checks (skips are in the files, each with its reason)"

step "Triton image: the models' imports are installed"
"$PY" triton-models/tools/check_image_requirements.py
sed '/pillow/d' triton-models/Dockerfile >"$OUT/Dockerfile.triton-without-pillow"
if "$PY" triton-models/tools/check_image_requirements.py --dockerfile "$OUT/Dockerfile.triton-without-pillow" 2>/dev/null; then
    echo "check_image_requirements.py accepted a Triton Dockerfile without Pillow" >&2
    exit 1
fi
echo "a Triton Dockerfile without Pillow is refused"

step "promtool"
promtool check rules deploy/prometheus/rules/*.yml
promtool check config --syntax-only deploy/prometheus/prometheus.yml
if ! k8s_out=$(promtool check config --syntax-only deploy/prometheus/kubernetes-scrape.yml 2>&1); then
    if grep -q 'kubernetes_sd_configs not found' <<<"$k8s_out"; then
        # Debian builds Prometheus without Kubernetes service discovery.
        echo "kubernetes-scrape.yml: this promtool has no kubernetes_sd_configs; YAML checked by yamllint only"
    else
        echo "$k8s_out" >&2
        exit 1
    fi
else
    echo "$k8s_out"
fi
(cd deploy/prometheus && promtool test rules tests/*.yml)

step "docker-compose.yml"
"$PY" scripts/deploy/check_compose.py docker-compose.yml .env.example
if docker compose version >/dev/null 2>&1; then
    docker compose --env-file .env.example -f docker-compose.yml config --quiet
    docker compose --env-file .env.example -f docker-compose.yml --profile gpu config --quiet
    echo "docker compose config: ok"
else
    echo "docker compose: not installed here; structural checks only"
fi

step "dashboards and metric names"
"$PY" scripts/deploy/check_metrics.py

step "k6 scripts"
for script in loadtest/*.js; do
    "$K6" inspect "$script" >/dev/null
    echo "$script: loads"
done

echo
echo "validate-deploy: all checks passed in $(( $(date +%s) - started )) s"
