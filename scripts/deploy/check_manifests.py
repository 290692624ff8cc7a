"""Project rules for the rendered Kubernetes overlays, beyond schema validation.

Usage: check_manifests.py RENDERED.yaml...   (run by scripts/validate-deploy.sh)

Checks, per overlay: distinct liveness and readiness probes, resources, hardened security
contexts, references (service accounts, ConfigMaps, HPA targets) that resolve, selectors of
Services, PDBs and NetworkPolicies that match pods, no Secret objects (references only), router
backends that name real Services, ConfigMap settings whose keys exist in the repository's
config/*.yaml; and, over k8s/, no deprecated kustomize fields.
"""

import pathlib
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
    print(f"{env}: project manifest rules hold ({len(templates)} workloads)")


def check_kustomizations() -> None:
    for path in sorted((ROOT / "k8s").rglob("kustomization.yaml")):
        doc = yaml.safe_load(path.read_text()) or {}
        used = DEPRECATED_KUSTOMIZE_FIELDS & set(doc)
        if used:
            fail(str(path.relative_to(ROOT)), f"deprecated kustomize fields: {sorted(used)}")


def main() -> int:
    check_kustomizations()
    for arg in sys.argv[1:]:
        check_overlay(pathlib.Path(arg))
    for error in errors:
        print(f"ERROR {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
