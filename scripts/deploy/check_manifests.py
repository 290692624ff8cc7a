"""Project rules for the rendered Kubernetes overlays, beyond schema validation.

Usage: check_manifests.py --base RENDERED_BASE.yaml RENDERED_OVERLAY.yaml...
(run by scripts/validate-deploy.sh; each overlay file is named after its folder in k8s/overlays)

Checks, per overlay: distinct liveness and readiness probes, resources, hardened security
contexts, references (service accounts, ConfigMaps, HPA targets) that resolve, selectors of
Services, PDBs and NetworkPolicies that match pods, no Secret objects (references only), router
backends that name real Services, ConfigMap settings whose keys exist in the repository's
config/*.yaml; and, over k8s/, no deprecated kustomize fields.

Deployability (what a schema cannot see): the gateway has Kafka brokers (else /v1/batches is
not mounted), the same brokers as the worker and the worker's request topic; the gateway's
readiness probe is /readyz, which does not depend on Redis under failure_mode open; every HPA
External metric has a cluster-scoped prometheus-adapter rule (a namespaced one adds a namespace
label the kafka-exporter series lack); every overlay `images:` entry names an image of the
rendered base and a tag the release workflow publishes, and the overlay renders with that tag;
Triton runs the project's image; preStop uses exec (the sleep action needs Kubernetes 1.30);
the router gets its admin token and the worker its callback signing secret from Secrets; every
Secret key referenced is listed in k8s/examples/secrets.example.yaml, whose values are all
placeholders; nobody sets PLATFORM_ENV=local; only the gateway, the batch worker, monitoring
and labelled operators reach the router.
"""

import argparse
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
DEPRECATED_KUSTOMIZE_FIELDS = {
    "commonLabels", "patchesStrategicMerge", "patchesJson6902", "bases", "vars", "imageTags",
}
CONFIG_FILES = {  # ConfigMap data key -> repository file with the same keys
    "gateway.yaml": "config/gateway.yaml",
    "router.yaml": "config/router.yaml",
    "batch-worker.yaml": "config/batch-worker.yaml",
}

ADAPTER_RULES = ROOT / "deploy/prometheus-adapter/rules.yaml"
RELEASE_WORKFLOW = ROOT / ".github/workflows/release.yml"
EXAMPLE_SECRETS = ROOT / "k8s/examples/secrets.example.yaml"
PROJECT_TRITON_IMAGE = "triton-gateway-triton"
# Who may reach the router: its clients, Prometheus and operators (label on pods or namespaces).
ROUTER_PEERS = [
    {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}},
    {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "batch-worker"}}},
    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}},
    {"podSelector": {"matchLabels": {"triton-gateway.io/router-admin": "true"}}},
    {"namespaceSelector": {"matchLabels": {"triton-gateway.io/router-admin": "true"}}},
]
REQUIRED_SECRET_ENV = {"router": "ROUTER_ADMIN_TOKEN", "batch-worker": "CALLBACK_SIGNING_SECRET"}

errors: list[str] = []


def fail(where: str, message: str) -> None:
    errors.append(f"{where}: {message}")


def leaf_keys(tree, prefix=""):
    """Dotted keys of a YAML mapping's leaves (lists count as leaves)."""
    if isinstance(tree, dict):
        keys = set()
        for key, value in tree.items():
            keys |= leaf_keys(value, f"{prefix}{key}.")
        return keys
    return {prefix.rstrip(".")}


def matches(selector: dict, labels: dict) -> bool:
    return all(labels.get(k) == v for k, v in (selector or {}).items())


def pod_templates(docs):
    for doc in docs:
        if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet"):
            yield doc, doc["spec"]["template"]


def check_overlay(path: pathlib.Path) -> None:
    docs = [d for d in yaml.safe_load_all(path.read_text()) if d]
    env = path.stem
    by_kind: dict[str, dict[str, dict]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], {})[doc["metadata"]["name"]] = doc
    if "Secret" in by_kind:
        fail(env, f"Secret objects in the manifests: {sorted(by_kind['Secret'])} (reference Secrets only)")
    templates = list(pod_templates(docs))
    for workload, template in templates:
        where = f"{env}/{workload['kind']}/{workload['metadata']['name']}"
        if not matches(workload["spec"]["selector"]["matchLabels"], template["metadata"]["labels"]):
            fail(where, "selector does not match the pod template")
        spec = template["spec"]
        sa = spec.get("serviceAccountName")
        if sa not in by_kind.get("ServiceAccount", {}):
            fail(where, f"service account {sa!r} is not defined")
        if spec.get("automountServiceAccountToken") is not False:
            fail(where, "automountServiceAccountToken must be false")
        pod_sc = spec.get("securityContext", {})
        if pod_sc.get("runAsNonRoot") is not True or pod_sc.get("seccompProfile", {}).get("type") != "RuntimeDefault":
            fail(where, "pod securityContext needs runAsNonRoot and seccomp RuntimeDefault")
        if workload["metadata"]["name"] != "batch-worker" and not spec.get("topologySpreadConstraints"):
            fail(where, "no topologySpreadConstraints")
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for volume in volumes.values():
            name = volume.get("configMap", {}).get("name")
            if name and name not in by_kind.get("ConfigMap", {}):
                fail(where, f"volume {volume['name']} mounts missing ConfigMap {name}")
        for container in spec["containers"]:
            cwhere = f"{where}/{container['name']}"
            live, ready = container.get("livenessProbe"), container.get("readinessProbe")
            if not live or not ready:
                fail(cwhere, "needs both livenessProbe and readinessProbe")
            elif live.get("httpGet") == ready.get("httpGet"):
                fail(cwhere, "liveness and readiness probes must differ")
            resources = container.get("resources", {})
            for part in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    if resource not in resources.get(part, {}):
                        fail(cwhere, f"resources.{part}.{resource} missing")
            sc = container.get("securityContext", {})
            if sc.get("readOnlyRootFilesystem") is not True or sc.get("allowPrivilegeEscalation") is not False:
                fail(cwhere, "needs readOnlyRootFilesystem: true and allowPrivilegeEscalation: false")
            if sc.get("capabilities", {}).get("drop") != ["ALL"]:
                fail(cwhere, "must drop ALL capabilities")
            if ":" not in container["image"] or container["image"].endswith(":latest"):
                fail(cwhere, f"image {container['image']} needs a pinned tag")
            for mount in container.get("volumeMounts", []):
                if mount["name"] not in volumes:
                    fail(cwhere, f"mount {mount['name']} has no volume")
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("configMapKeyRef")
                if ref:
                    cm = by_kind.get("ConfigMap", {}).get(ref["name"])
                    if cm is None or ref["key"] not in cm.get("data", {}):
                        fail(cwhere, f"env {var['name']} references missing ConfigMap key {ref['name']}/{ref['key']}")
        if workload["metadata"]["name"].startswith("triton"):
            gpus = spec["containers"][0]["resources"].get("limits", {}).get("nvidia.com/gpu")
            if env == "dev":
                if gpus or spec.get("nodeSelector"):
                    fail(where, "dev runs Triton on CPU: no GPU limit, no GPU node selector")
            elif not gpus or not spec.get("tolerations") or not spec.get("nodeSelector"):
                fail(where, "needs a GPU limit, a GPU node selector and tolerations")

    pods = [t["metadata"]["labels"] for _, t in templates]
    for kind, field in (("Service", ("spec", "selector")), ("PodDisruptionBudget", ("spec", "selector", "matchLabels")),
                        ("NetworkPolicy", ("spec", "podSelector", "matchLabels"))):
        for name, doc in by_kind.get(kind, {}).items():
            selector = doc
            for key in field:
                selector = (selector or {}).get(key)
            if kind == "NetworkPolicy" and not selector:
                continue  # an empty podSelector selects every pod
            if not any(matches(selector, labels) for labels in pods):
                fail(f"{env}/{kind}/{name}", f"selector {selector} matches no pod")
    for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        target = hpa["spec"]["scaleTargetRef"]
        if target["name"] not in by_kind.get(target["kind"], {}):
            fail(f"{env}/HPA/{name}", f"target {target['kind']}/{target['name']} does not exist")
        elif "replicas" in by_kind[target["kind"]][target["name"]]["spec"]:
            fail(f"{env}/HPA/{name}", f"{target['name']} sets replicas: every apply would reset the HPA's count")
        if hpa["spec"].get("minReplicas", 1) > hpa["spec"]["maxReplicas"]:
            fail(f"{env}/HPA/{name}", "minReplicas above maxReplicas")

    services = by_kind.get("Service", {})
    for name, cm in by_kind.get("ConfigMap", {}).items():
        for key, text in cm.get("data", {}).items():
            data = yaml.safe_load(text)
            if key == "routes.yaml":
                for backend in data.get("backends", []):
                    host_port = backend["url"].split("://", 1)[1].split("/", 1)[0]
                    host, _, port = host_port.partition(":")
                    service = services.get(host)
                    if service is None or int(port or 80) not in [p["port"] for p in service["spec"]["ports"]]:
                        fail(f"{env}/ConfigMap/{name}", f"backend {backend['name']} -> {backend['url']}: no such Service port")
                for route in data.get("routes", []):
                    if sum(t.get("weight", 1) for t in route["targets"]) <= 0:
                        fail(f"{env}/ConfigMap/{name}", f"route {route['model']}: all weights are 0")
            elif key in CONFIG_FILES:
                known = leaf_keys(yaml.safe_load((ROOT / CONFIG_FILES[key]).read_text()))
                unknown = sorted(leaf_keys(data) - known)
                if unknown:
                    fail(f"{env}/ConfigMap/{name}", f"keys not in {CONFIG_FILES[key]}: {unknown}")
    check_deployability(env, by_kind, templates)
    print(f"{env}: project manifest rules hold ({len(templates)} workloads)")


def container_env(container: dict, by_kind: dict) -> dict[str, str | None]:
    """Each variable's value: literal, ConfigMap value, "secret:<name>/<key>", or None."""
    values = {}
    for var in container.get("env", []):
        source = var.get("valueFrom", {})
        if "value" in var:
            values[var["name"]] = str(var["value"])
        elif "configMapKeyRef" in source:
            ref = source["configMapKeyRef"]
            values[var["name"]] = by_kind.get("ConfigMap", {}).get(ref["name"], {}).get("data", {}).get(ref["key"])
        elif "secretKeyRef" in source:
            ref = source["secretKeyRef"]
            values[var["name"]] = f"secret:{ref['name']}/{ref['key']}"
        else:
            values[var["name"]] = None
    return values


def config_file(by_kind: dict, template: dict, key: str) -> dict:
    """The parsed `key` file of the ConfigMap a pod template mounts."""
    for volume in template["spec"].get("volumes", []):
        cm = by_kind.get("ConfigMap", {}).get(volume.get("configMap", {}).get("name"))
        if cm and key in cm.get("data", {}):
            return yaml.safe_load(cm["data"][key]) or {}
    return {}


def dig(tree: dict, dotted: str):
    for part in dotted.split("."):
        tree = tree.get(part) if isinstance(tree, dict) else None
    return tree


def check_deployability(env: str, by_kind: dict, templates: list) -> None:
    workloads = {w["metadata"]["name"]: (w, t) for w, t in templates}
    for name, (workload, template) in workloads.items():
        where = f"{env}/{workload['kind']}/{name}"
        for container in template["spec"]["containers"]:
            values = container_env(container, by_kind)
            if (values.get("PLATFORM_ENV") or "").strip() == "local":
                fail(where, "PLATFORM_ENV=local accepts the repository's example secrets")
            pre_stop = container.get("lifecycle", {}).get("preStop", {})
            if "sleep" in pre_stop:
                fail(where, "preStop.sleep needs Kubernetes 1.30 or later: use an exec sleep")
            if name.startswith("triton") and PROJECT_TRITON_IMAGE not in container["image"].split(":")[0]:
                fail(where, f"Triton image {container['image']} is not the project's ({PROJECT_TRITON_IMAGE}): "
                            "the official image lacks the models' Python packages")
            required = REQUIRED_SECRET_ENV.get(name)
            if required and not (values.get(required) or "").startswith("secret:"):
                fail(where, f"{required} must come from a Secret")

    gateway, worker = workloads.get("gateway"), workloads.get("batch-worker")
    if gateway and worker:
        g_container, w_container = gateway[1]["spec"]["containers"][0], worker[1]["spec"]["containers"][0]
        g_config = config_file(by_kind, gateway[1], "gateway.yaml")
        w_config = config_file(by_kind, worker[1], "batch-worker.yaml")
        g_brokers = (container_env(g_container, by_kind).get("KAFKA_BROKERS")
                     or dig(g_config, "gateway.kafka.brokers") or dig(g_config, "kafka.brokers"))
        w_brokers = container_env(w_container, by_kind).get("KAFKA_BROKERS") or dig(w_config, "kafka.brokers")
        if not g_brokers:
            fail(f"{env}/gateway", "no Kafka brokers (KAFKA_BROKERS or kafka.brokers): /v1/batches answers 404")
        elif g_brokers != w_brokers:
            fail(f"{env}/gateway", f"Kafka brokers {g_brokers} differ from the worker's {w_brokers}")
        g_topic = dig(g_config, "gateway.batch.topic") or "inference.batch.requests"
        if g_topic != dig(w_config, "batch.topics.requests"):
            fail(f"{env}/gateway", f"batch topic {g_topic} is not the worker's {dig(w_config, 'batch.topics.requests')}")
        probe = g_container.get("readinessProbe", {})
        mode = dig(g_config, "gateway.rate_limit.failure_mode") or "open"
        if probe.get("httpGet", {}).get("path") != "/readyz":
            fail(f"{env}/gateway", "readiness must probe /readyz (Redis gates it only under failure_mode closed; "
                                   "other endpoints depend on Redis or the router)")
        elif mode == "open" and "exec" in probe:
            fail(f"{env}/gateway", "readiness must not run a command that depends on Redis under failure_mode open")
    check_adapter_rules(env, by_kind)
    check_router_ingress(env, by_kind)
    check_secret_references(env, templates)


def check_adapter_rules(env: str, by_kind: dict) -> None:
    rules = (yaml.safe_load(ADAPTER_RULES.read_text()) or {}).get("external", [])
    for name, hpa in by_kind.get("HorizontalPodAutoscaler", {}).items():
        for metric in hpa["spec"].get("metrics", []):
            if metric["type"] != "External":
                continue
            wanted = metric["external"]["metric"]["name"]
            matching = [r for r in rules if (r.get("name", {}).get("as") or wanted) == wanted
                        and re.search(r.get("name", {}).get("matches", "^$"), wanted)]
            if not matching:
                fail(f"{env}/HPA/{name}", f"no prometheus-adapter external rule serves {wanted}")
            for rule in matching:
                resources = rule.get("resources", {})
                if resources.get("namespaced") is not False or "overrides" in resources or "template" in resources:
                    fail(f"{env}/HPA/{name}", f"adapter rule for {wanted} is namespaced: it adds a namespace "
                                              "label the exporter's series lack (set resources.namespaced: false)")
                labels = metric["external"]["metric"].get("selector", {}).get("matchLabels", {})
                by = re.search(r"by\s*\(([^)]*)\)", rule.get("metricsQuery", ""))
                kept = {label.strip() for label in by.group(1).split(",")} if by else set()
                if not set(labels) <= kept:
                    fail(f"{env}/HPA/{name}", f"adapter rule for {wanted} sums away the selector labels {sorted(set(labels) - kept)}")


def check_router_ingress(env: str, by_kind: dict) -> None:
    for name, policy in by_kind.get("NetworkPolicy", {}).items():
        selector = policy["spec"].get("podSelector", {}).get("matchLabels", {})
        if not matches(selector, {"app.kubernetes.io/name": "router"}) or "Ingress" not in policy["spec"].get("policyTypes", []):
            continue
        for rule in policy["spec"].get("ingress", []):
            peers = rule.get("from")
            if not peers:
                fail(f"{env}/NetworkPolicy/{name}", "an ingress rule without `from` lets every pod reach the router")
            for peer in peers or []:
                if peer not in ROUTER_PEERS:
                    fail(f"{env}/NetworkPolicy/{name}", f"router ingress from {peer} is not an allowed peer")


def check_secret_references(env: str, templates: list) -> None:
    examples = {}
    for doc in yaml.safe_load_all(EXAMPLE_SECRETS.read_text()):
        if doc:
            examples[doc["metadata"]["name"]] = {**doc.get("stringData", {}), **doc.get("data", {})}
    for workload, template in templates:
        for container in template["spec"]["containers"]:
            for var in container.get("env", []):
                ref = var.get("valueFrom", {}).get("secretKeyRef")
                if ref and ref["key"] not in examples.get(ref["name"], {}):
                    fail(f"{env}/{workload['metadata']['name']}",
                         f"Secret {ref['name']}/{ref['key']} is not in {EXAMPLE_SECRETS.relative_to(ROOT)}")
    for name, values in examples.items():
        for key, value in values.items():
            if "change-me" not in str(value):
                fail(str(EXAMPLE_SECRETS.relative_to(ROOT)), f"{name}/{key} is not an obviously invalid placeholder")


def published_tag_patterns() -> list[str]:
    """Regular expressions of the image tags the release workflow pushes."""
    workflow = yaml.safe_load(RELEASE_WORKFLOW.read_text())
    branches = (workflow.get(True) or workflow.get("on") or {}).get("push", {}).get("branches", [])
    patterns = []
    for job in workflow["jobs"].values():
        for step in job.get("steps", []):
            if "metadata-action" not in step.get("uses", ""):
                continue
            for line in step.get("with", {}).get("tags", "").splitlines():
                fields = dict(f.split("=", 1) for f in line.strip().split(",") if "=" in f)
                kind = fields.get("type")
                if kind == "semver" and fields.get("pattern") == "{{version}}":
                    patterns.append(r"\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?")
                elif kind == "semver" and fields.get("pattern") == "{{major}}.{{minor}}":
                    patterns.append(r"\d+\.\d+")
                elif kind == "sha":
                    patterns.append(re.escape(fields.get("prefix", "sha-")) + r"[0-9a-f]{7,40}")
                elif kind == "ref" and fields.get("event") == "branch":
                    patterns += [re.escape(b) for b in branches]
    return patterns


def check_images(base_path: pathlib.Path, overlays: list[pathlib.Path]) -> None:
    base_images = {c["image"].rsplit(":", 1)[0] for d in yaml.safe_load_all(base_path.read_text()) if d
                   for _, t in pod_templates([d]) for c in t["spec"]["containers"]}
    patterns = published_tag_patterns()
    for path in overlays:
        kustomization = yaml.safe_load((ROOT / "k8s/overlays" / path.stem / "kustomization.yaml").read_text())
        rendered = {c["image"] for d in yaml.safe_load_all(path.read_text()) if d
                    for _, t in pod_templates([d]) for c in t["spec"]["containers"]}
        for entry in kustomization.get("images", []):
            where = f"k8s/overlays/{path.stem}/kustomization.yaml images {entry['name']}"
            if entry["name"] not in base_images:
                fail(where, f"matches no image of the base {sorted(base_images)}: the override does nothing")
                continue
            tag = entry.get("newTag")
            if tag is None:
                continue
            if not any(re.fullmatch(p, tag) for p in patterns):
                fail(where, f"tag {tag} is not one the release workflow publishes")
            image = f"{entry.get('newName', entry['name'])}:{tag}"
            if image not in rendered:
                fail(where, f"the overlay does not render {image}")


def check_kustomizations() -> None:
    for path in sorted((ROOT / "k8s").rglob("kustomization.yaml")):
        doc = yaml.safe_load(path.read_text()) or {}
        used = DEPRECATED_KUSTOMIZE_FIELDS & set(doc)
        if used:
            fail(str(path.relative_to(ROOT)), f"deprecated kustomize fields: {sorted(used)}")


def main() -> int:
    parser = argparse.ArgumentParser(description="Project rules for the rendered overlays.")
    parser.add_argument("--base", type=pathlib.Path, required=True, help="k8s/base rendered")
    parser.add_argument("overlays", type=pathlib.Path, nargs="+", help="each overlay rendered, named <env>.yaml")
    options = parser.parse_args()
    check_kustomizations()
    check_images(options.base, options.overlays)
    for path in options.overlays:
        check_overlay(path)
    for error in errors:
        print(f"ERROR {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
