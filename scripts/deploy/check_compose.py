"""Structural and consistency checks of docker-compose.yml where no Docker engine runs.

Usage: check_compose.py docker-compose.yml .env.example   (run by scripts/validate-deploy.sh)

Checks: every service has an image or a build; long-running services have a healthcheck;
depends_on names real services with valid conditions (service_healthy needs a healthcheck,
service_completed_successfully a one-shot service); every ${VAR} is in .env.example or has a
default, and every .env.example entry is used; bind-mounted paths exist; ports publish on
127.0.0.1 only; credentials are variables, never literals; Prometheus targets and the router's
backends name services of the file; topic names and the bucket agree with config/batch-worker.yaml.
Deployability: every Prometheus target resolves in every profile; Kafka keeps its log directory
on a volume; Triton services build the project's image (triton-models/Dockerfile), load models
that exist in the repositories they mount, and reserve a GPU exactly when a loaded model has a
KIND_GPU instance group; the router's routes file comes from a directory mount (so a replaced
file is seen and reloaded); the router gets its admin token and the worker its callback signing
secret from .env; nobody sets PLATFORM_ENV=local (which accepts the example secrets).
"""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
VAR = re.compile(r"(?<!\$)\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|_KEY$|_KEY_ID$|AUTH")
REQUIRED_ENV = {"router": ["ROUTER_ADMIN_TOKEN"], "batch-worker": ["CALLBACK_SIGNING_SECRET"]}
errors: list[str] = []


def fail(message: str) -> None:
    errors.append(message)


def env_file(path: pathlib.Path) -> dict[str, str]:
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def environment_of(svc: dict) -> dict:
    environment = svc.get("environment", {})
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return environment


def mounts_of(svc: dict) -> list[tuple[str, str]]:
    """(source, target) of each short-syntax volume."""
    result = []
    for volume in svc.get("volumes", []):
        parts = str(volume).split(":")
        if len(parts) >= 2:
            result.append((parts[0], parts[1]))
    return result


def model_kinds(config: pathlib.Path) -> set[str]:
    return set(re.findall(r"kind:\s*(KIND_\w+)", config.read_text()))


def check_deployability(services: dict) -> None:
    for name, svc in services.items():
        where = f"service {name}"
        environment = environment_of(svc)
        if str(environment.get("PLATFORM_ENV", "")).strip() == "local":
            fail(f"{where}: PLATFORM_ENV=local accepts the repository's example secrets")
        for key in REQUIRED_ENV.get(name, []):
            if "${" not in str(environment.get(key, "")):
                fail(f"{where}: {key} must come from .env")
        mounts = mounts_of(svc)
        # Kafka: the log directory (topics, offsets) on a mounted volume.
        if "KAFKA_PROCESS_ROLES" in environment:
            log_dirs = str(environment.get("KAFKA_LOG_DIRS", ""))
            if not log_dirs:
                fail(f"{where}: KAFKA_LOG_DIRS unset: the broker writes to /tmp and loses topics and offsets")
            for log_dir in filter(None, log_dirs.split(",")):
                if not any(log_dir == t or log_dir.startswith(t.rstrip("/") + "/") for _, t in mounts):
                    fail(f"{where}: KAFKA_LOG_DIRS {log_dir} is not on a mounted volume")
        # The router's routes file: from a directory mount, so a replaced file is seen.
        routes_file = environment.get("ROUTER_ROUTES_FILE")
        if name == "router":
            if not routes_file:
                fail(f"{where}: ROUTER_ROUTES_FILE unset (the image's copy cannot be edited)")
            for source, target in mounts:
                if source.startswith((".", "/")) and (ROOT / source).is_file() and target.endswith("routes.yaml"):
                    fail(f"{where}: {source} is mounted as a single file: an editor that replaces it is never reloaded")
            if routes_file and not any(routes_file.startswith(t.rstrip("/") + "/") and (ROOT / s).is_dir()
                                       for s, t in mounts if s.startswith((".", "/"))):
                fail(f"{where}: ROUTER_ROUTES_FILE {routes_file} is not inside a directory mount")
        # Triton: the project's image, models that exist, a GPU only for GPU models.
        command = [str(c) for c in svc.get("command", [])] if isinstance(svc.get("command"), list) else []
        if command[:1] == ["tritonserver"]:
            build = svc.get("build") or {}
            context = build.get("context") if isinstance(build, dict) else build
            if not context or not (ROOT / context / "Dockerfile").exists() or pathlib.Path(context).name != "triton-models":
                fail(f"{where}: builds {context!r}, not the project's Triton image (triton-models/Dockerfile)")
            repositories = [c.split("=", 1)[1] for c in command if c.startswith("--model-repository=")]
            host_dirs = {t: ROOT / s for s, t in mounts if s.startswith((".", "/"))}
            kinds = set()
            for model in [c.split("=", 1)[1] for c in command if c.startswith("--load-model=")]:
                configs = [host_dirs[r] / model / "config.pbtxt" for r in repositories if r in host_dirs]
                found = [c for c in configs if c.exists()]
                if not found:
                    fail(f"{where}: loads {model}, which no mounted model repository has")
                for config in found:
                    kinds |= model_kinds(config)
            devices = ((svc.get("deploy") or {}).get("resources") or {}).get("reservations", {}).get("devices", [])
            gpu = any("gpu" in d.get("capabilities", []) for d in devices)
            if gpu and "KIND_GPU" not in kinds:
                fail(f"{where}: reserves a GPU but every model it loads runs on KIND_CPU")
            if "KIND_GPU" in kinds and not gpu:
                fail(f"{where}: loads a KIND_GPU model without reserving a GPU")


def main() -> int:
    compose_path, env_path = (pathlib.Path(a) for a in sys.argv[1:3])
    text = compose_path.read_text()
    compose = yaml.safe_load(text)  # merges the x-* anchors
    env = env_file(env_path)
    services = compose.get("services", {})
    if not services:
        fail("no services")

    used = set()
    for match in VAR.finditer(text):
        name, op, _ = match.groups()
        used.add(name)
        if name not in env and op != "-":
            fail(f"${{{name}}} has no default and is not in {env_path.name}")
    for name in sorted(set(env) - used - {"COMPOSE_PROFILES"}):
        fail(f"{env_path.name}: {name} is not used by {compose_path.name}")

    aliases = set(services)
    for svc in services.values():
        for net in (svc.get("networks") or {}).values() if isinstance(svc.get("networks"), dict) else []:
            aliases.update((net or {}).get("aliases", []))

    for name, svc in services.items():
        where = f"service {name}"
        if "image" not in svc and "build" not in svc:
            fail(f"{where}: no image or build")
        one_shot = svc.get("restart") == "no"
        if not one_shot and "healthcheck" not in svc:
            fail(f"{where}: long-running service without a healthcheck")
        deps = svc.get("depends_on", {})
        if isinstance(deps, list):
            deps = {d: {"condition": "service_started"} for d in deps}
        for dep, spec in deps.items():
            if dep not in services:
                fail(f"{where}: depends_on unknown service {dep}")
                continue
            condition = spec.get("condition", "service_started")
            if condition not in CONDITIONS:
                fail(f"{where}: depends_on {dep} with unknown condition {condition}")
            if condition == "service_healthy" and "healthcheck" not in services[dep]:
                fail(f"{where}: waits for {dep} to be healthy but {dep} has no healthcheck")
            if condition == "service_completed_successfully" and services[dep].get("restart") != "no":
                fail(f"{where}: waits for {dep} to complete but {dep} restarts")
            if services[dep].get("profiles") and spec.get("required", True):
                fail(f"{where}: depends on {dep}, which only runs in profiles {services[dep]['profiles']}: add required: false")
        for port in svc.get("ports", []):
            if not str(port).startswith("127.0.0.1:"):
                fail(f"{where}: port {port} is published on every interface")
        for volume in svc.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith((".", "/")) and not (ROOT / source).exists():
                fail(f"{where}: bind mount source {source} does not exist")
        environment = svc.get("environment", {})
        if isinstance(environment, list):
            environment = dict(item.split("=", 1) for item in environment)
        for key, value in environment.items():
            if SECRET_NAME.search(key) and "${" not in str(value):
                fail(f"{where}: {key} is a literal; credentials must come from .env")
            for url in re.findall(r"(?:https?|redis|postgresql)://[^\s,]+", str(value)):
                host = re.sub(r"^[a-z]+://(?:[^@/]*@)?", "", url).split("/")[0].split(":")[0]
                if host not in aliases and host not in ("127.0.0.1", "localhost"):
                    fail(f"{where}: {key} points at {host}, which is no service of the file")
        backends = environment.get("ROUTER_BACKENDS")
        if backends:
            profiles = {p for s in services.values() for p in s.get("profiles", [])}
            for profile in profiles:
                serving = [n for n, s in services.items() if profile in s.get("profiles", []) and
                           "triton-server" in ((s.get("networks") or {}).get("default") or {}).get("aliases", [])]
                if not serving:
                    fail(f"profile {profile}: no Triton service answers as triton-server")

    prometheus = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    for profile in sorted({p for s in services.values() for p in s.get("profiles", [])}) or [""]:
        hosts = set()
        for name, svc in services.items():
            if not svc.get("profiles") or profile in svc["profiles"]:
                hosts.add(name)
                for net in (svc.get("networks") or {}).values() if isinstance(svc.get("networks"), dict) else []:
                    hosts.update((net or {}).get("aliases", []))
        for job in prometheus["scrape_configs"]:
            for static in job.get("static_configs", []):
                for target in static["targets"]:
                    host = target.split(":")[0]
                    if host != "localhost" and host not in hosts:
                        fail(f"prometheus job {job['job_name']}: target {target} is no service of profile {profile or '(none)'}")
    check_deployability(services)

    worker = yaml.safe_load((ROOT / "config/batch-worker.yaml").read_text())
    topics = worker["batch"]["topics"]
    for key, env_name in (("requests", "BATCH_REQUESTS_TOPIC"), ("dlq", "BATCH_DLQ_TOPIC"), ("events", "BATCH_EVENTS_TOPIC")):
        if env.get(env_name) != topics[key]:
            fail(f"{env_name}={env.get(env_name)} differs from config/batch-worker.yaml batch.topics.{key}={topics[key]}")
    if env.get("S3_BUCKET") != worker["s3"]["bucket"]:
        fail(f"S3_BUCKET={env.get('S3_BUCKET')} differs from config/batch-worker.yaml s3.bucket")

    grafana = services.get("grafana", {})
    home = grafana.get("environment", {}).get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH")
    if home and not (ROOT / "deploy/grafana/dashboards" / pathlib.Path(home).name).exists():
        fail(f"grafana home dashboard {home} is not in deploy/grafana/dashboards")

    for error in errors:
        print(f"ERROR {error}", file=sys.stderr)
    if not errors:
        print(f"{compose_path.name}: {len(services)} services consistent with {env_path.name}, "
              "the configs and the Prometheus targets")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
