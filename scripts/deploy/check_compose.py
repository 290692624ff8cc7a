"""Structural and consistency checks of docker-compose.yml where no Docker engine runs.

Usage: check_compose.py docker-compose.yml .env.example   (run by scripts/validate-deploy.sh)

Checks: every service has an image or a build; long-running services have a healthcheck;
depends_on names real services with valid conditions (service_healthy needs a healthcheck,
service_completed_successfully a one-shot service); every ${VAR} is in .env.example or has a
default, and every .env.example entry is used; bind-mounted paths exist; ports publish on
127.0.0.1 only; credentials are variables, never literals; Prometheus targets and the router's
backends name services of the file; topic names and the bucket agree with config/batch-worker.yaml.
"""

import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
VAR = re.compile(r"(?<!\$)\$\{([A-Z0-9_]+)(?::?([-?])([^}]*))?\}")
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
SECRET_NAME = re.compile(r"PASSWORD|SECRET|_KEY$|_KEY_ID$|AUTH")
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
    for job in prometheus["scrape_configs"]:
        for static in job.get("static_configs", []):
            for target in static["targets"]:
                host = target.split(":")[0]
                if host != "localhost" and host not in services:
                    fail(f"prometheus job {job['job_name']}: target {target} is no compose service")

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
