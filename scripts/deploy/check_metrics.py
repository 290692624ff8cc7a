"""Dashboards parse, and every metric they and the alert rules use exists.

Usage: check_metrics.py   (run by scripts/validate-deploy.sh)

A metric of the platform's own namespaces must be created somewhere in Sources/ (histogram
suffixes _bucket/_sum/_count stripped); recording rules must be defined in
deploy/prometheus/rules; the few series from other software are listed in EXTERNAL with their
origin. Each Grafana panel must have a unique id, a datasource and at least one query.
"""

import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parents[2]
# grpc_server_: the gRPC front doors' series (GRPCCallObserver), named as gRPC's middleware names them.
OWN_PREFIXES = ("gateway_", "router_", "batch_", "rate_limit_", "grpc_server_")
EXTERNAL = {
    # Hummingbird's MetricsMiddleware (per route template, method, status).
    "hb_requests", "hb_request_errors", "http_server_request_duration", "http_server_active_requests",
    # kafka-exporter (docker-compose service; the lag signal of the worker's autoscaler).
    "kafka_consumergroup_lag",
}
PROMQL_WORDS = {
    "sum", "by", "without", "rate", "irate", "increase", "histogram_quantile", "max", "min", "avg",
    "count", "and", "or", "unless", "on", "ignoring", "group_left", "group_right", "clamp_min", "clamp_max",
    "deriv", "abs", "le", "bool", "offset", "topk", "bottomk", "label_values", "absent", "vector", "scalar",
    "time", "humanizePercentage", "count_over_time", "avg_over_time", "max_over_time", "min_over_time",
}
IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
errors: list[str] = []


def metric_names(expr: str) -> set[str]:
    expr = re.sub(r"\{[^}]*\}", "", expr)        # label matchers
    expr = re.sub(r"\[[^\]]*\]", "", expr)        # range selectors
    expr = re.sub(r'"[^"]*"', "", expr)           # strings
    expr = re.sub(r"(?<![\w:])\d+(\.\d+)?([eE][-+]?\d+)?", "", expr)  # numbers (1e-9)
    expr = re.sub(r"\b(by|without|on|ignoring)\s*\([^)]*\)", "", expr)  # grouping labels
    names = set()
    for match in IDENT.finditer(expr):
        word = match.group(0)
        rest = expr[match.end():].lstrip()
        if word in PROMQL_WORDS or rest.startswith("(") or word.startswith("$"):
            continue
        names.add(word)
    return names


def main() -> int:
    sources = "\n".join(p.read_text() for p in (ROOT / "Sources").rglob("*.swift"))
    recorded = set()
    exprs: list[tuple[str, str]] = []
    for path in sorted((ROOT / "deploy/prometheus/rules").glob("*.yml")):
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                if "record" in rule:
                    recorded.add(rule["record"])
                exprs.append((f"{path.name}:{rule.get('record') or rule.get('alert')}", rule["expr"]))
    dashboards = sorted((ROOT / "deploy/grafana/dashboards").glob("*.json"))
    if not dashboards:
        errors.append("no dashboards in deploy/grafana/dashboards")
    for path in dashboards:
        board = json.loads(path.read_text())
        ids = set()
        for panel in board["panels"]:
            if panel["id"] in ids:
                errors.append(f"{path.name}: duplicate panel id {panel['id']}")
            ids.add(panel["id"])
            if panel["type"] == "row":
                continue
            if not panel.get("datasource") or not panel.get("targets"):
                errors.append(f"{path.name}: panel {panel['title']!r} has no datasource or query")
            for target in panel.get("targets", []):
                exprs.append((f"{path.name}:{panel['title']}", target["expr"]))
    used = set()
    for where, expr in exprs:
        for name in metric_names(expr):
            used.add(name)
            base = re.sub(r"_(bucket|sum|count)$", "", name)
            if ":" in name:
                if name not in recorded:
                    errors.append(f"{where}: recording rule {name} is not defined")
            elif name.startswith(OWN_PREFIXES):
                if f'"{base}"' not in sources:
                    errors.append(f"{where}: metric {name} is not created anywhere in Sources/")
            elif base not in EXTERNAL:
                errors.append(f"{where}: metric {name} is neither the platform's nor a known external one")
    for error in errors:
        print(f"ERROR {error}", file=sys.stderr)
    if not errors:
        print(f"{len(dashboards)} dashboard(s) and {len(exprs)} queries/rules use {len(used)} metrics, all defined")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
