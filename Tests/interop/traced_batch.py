#!/usr/bin/env python3
"""One traced batch submission through gateway → Kafka → batch worker, its spans collected over
OTLP/HTTP.

Usage: traced_batch.py BIN_DIR REQUESTS_TOPIC DLQ_TOPIC EVENTS_TOPIC
       (the stack's environment: ROUTER_URL, REDIS_URL, POSTGRES_URL, KAFKA_BROKERS, S3_*, AWS_*,
        JWT_*, DEMO_API_KEY, RDKAFKA_LIBRARY_PATH)

The topics must exist (the caller creates them, one per priority for REQUESTS_TOPIC). Starts an
OTLP/HTTP receiver on a free port, then a gateway publishing batch items to REQUESTS_TOPIC and a
batch worker consuming it in a consumer group of its own, both exporting their spans to the
receiver; both use the stack's router. Submits a three-item `simple` job to `POST /v1/batches`
with a W3C traceparent of a trace id chosen here, waits for the job to complete, and checks the
trace: the gateway's server span is the child of the client's span; the worker's
`batch.consume` span continues the trace under a gateway span (the context went through the
Kafka message headers); `batch.infer` (with the model and the job id), `batch.write` and
`batch.commit` are its children. Prints the trace as an indented tree; exits 1 naming the first
failure. Every process it started is stopped at the end; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import urllib.request
from http.server import ThreadingHTTPServer

from otlp_receiver import Receiver, find, free_port, http_ok, lock, run, spans, stop, tree, wait_until


def job_status(gateway: str, job: str, key: str) -> str:
    request = urllib.request.Request(f"{gateway}/v1/batches/{job}", headers={"x-api-key": key})
    with urllib.request.urlopen(request, timeout=5) as answer:
        return json.load(answer)["status"]


def check_trace(trace: str, client_span: str, job: str) -> None:
    gateway = wait_until(lambda: find(trace, "/v1/batches", "gateway", client_span), 15, "the gateway's span")
    consume = wait_until(lambda: find(trace, "batch.consume", "batch-worker"), 15, "the worker's batch.consume")
    with lock:
        gateway_spans = {s["id"] for s in spans if s["trace"] == trace and s["service"] == "gateway"}
    if consume["parent"] not in gateway_spans:
        raise AssertionError(f"batch.consume's parent {consume['parent']} is no gateway span of the trace")
    if gateway["id"] not in gateway_spans:
        raise AssertionError("the gateway's server span is missing from its own trace")
    infer = wait_until(lambda: find(trace, "batch.infer", "batch-worker", consume["id"]), 5, "batch.infer")
    attributes = infer["attributes"]
    if attributes.get("inference.model", {}).get("stringValue") != "simple":
        raise AssertionError(f"batch.infer lacks the model: {attributes}")
    if attributes.get("batch.job_id", {}).get("stringValue") != job:
        raise AssertionError(f"batch.infer names another job: {attributes}")
    for stage in ("batch.write", "batch.commit"):
        wait_until(lambda: find(trace, stage, "batch-worker", consume["id"]), 5, stage)


def main() -> int:
    bin_dir, requests_topic, dlq_topic, events_topic = sys.argv[1:5]
    env = os.environ
    otlp_port, gateway_port, worker_metrics_port = (free_port() for _ in range(3))
    receiver = ThreadingHTTPServer(("127.0.0.1", otlp_port), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    common = {
        "PATH": env["PATH"], "PLATFORM_ENV": "local", "LOG_LEVEL": "info",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{otlp_port}", "OTEL_BSP_SCHEDULE_DELAY": "100",
        "LD_LIBRARY_PATH": env.get("RDKAFKA_LIBRARY_PATH", ""), "KAFKA_BROKERS": env["KAFKA_BROKERS"],
        "POSTGRES_URL": env["POSTGRES_URL"], "S3_ENDPOINT": env["S3_ENDPOINT"], "S3_BUCKET": env["S3_BUCKET"],
        "S3_REGION": env["S3_REGION"], "AWS_ACCESS_KEY_ID": env["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": env["AWS_SECRET_ACCESS_KEY"],
    }
    gateway_env = dict(common, GATEWAY_LISTEN_PORT=str(gateway_port), GATEWAY_UPSTREAM_URL=env["ROUTER_URL"],
                       GATEWAY_BATCH_TOPIC=requests_topic, REDIS_URL=env["REDIS_URL"],
                       JWT_HS256_SECRET=env["JWT_HS256_SECRET"], JWT_ISSUER=env["JWT_ISSUER"],
                       JWT_AUDIENCE=env["JWT_AUDIENCE"], GATEWAY_OPENAPI_FILE="docs/openapi.yaml")
    worker_env = dict(common, ROUTER_URL=env["ROUTER_URL"], BATCH_TOPICS_REQUESTS=requests_topic,
                      BATCH_TOPICS_DLQ=dlq_topic, BATCH_TOPICS_EVENTS=events_topic,
                      BATCH_GROUP_ID=f"traced-{secrets.token_hex(4)}", BATCH_METRICS_PORT=str(worker_metrics_port))
    logs = {name: open(f"{os.environ.get('TMPDIR', '/tmp')}/traced-batch-{name}-{os.getpid()}.log", "w+")
            for name in ("gateway", "batch-worker")}
    processes = [
        subprocess.Popen([f"{bin_dir}/gateway", "--config", "config/gateway.yaml"], env=gateway_env,
                         stdout=logs["gateway"], stderr=subprocess.STDOUT),
        subprocess.Popen([f"{bin_dir}/batch-worker", "--config", "config/batch-worker.yaml"], env=worker_env,
                         stdout=logs["batch-worker"], stderr=subprocess.STDOUT),
    ]
    try:
        gateway = f"http://127.0.0.1:{gateway_port}"
        wait_until(lambda: http_ok(f"{gateway}/readyz"), 60, "the gateway")
        wait_until(lambda: http_ok(f"http://127.0.0.1:{worker_metrics_port}/health"), 60, "the batch worker")
        key = env["DEMO_API_KEY"]
        tensors = [{"name": n, "datatype": "INT32", "shape": [1, 16], "data": list(range(16))}
                   for n in ("INPUT0", "INPUT1")]
        body = json.dumps({"model": "simple", "items": [{"id": f"item-{i}", "inputs": tensors} for i in range(3)]})
        trace, client_span = secrets.token_hex(16), secrets.token_hex(8)
        request = urllib.request.Request(
            f"{gateway}/v1/batches", data=body.encode(), method="POST",
            headers={"content-type": "application/json", "x-api-key": key,
                     "traceparent": f"00-{trace}-{client_span}-01"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            if answer.status != 202:
                raise AssertionError(f"POST /v1/batches answered {answer.status}")
            job = json.load(answer)["job_id"]
        status = wait_until(
            lambda: (lambda s: s if s in ("completed", "failed", "cancelled") else None)(job_status(gateway, job, key)),
            90, f"job {job} to finish")
        if status != "completed":
            raise AssertionError(f"job {job} ended {status}")
        check_trace(trace, client_span, job)
        print(f"batch trace {trace}:\n{tree(trace)}")
        print("traced batch: all checks passed")
        return 0
    finally:
        stop(processes, receiver, logs)


if __name__ == "__main__":
    run(main, "traced batch")
