#!/usr/bin/env python3
"""One traced request through gateway → router → Triton, its spans collected over OTLP/HTTP.

Usage: traced_request.py BIN_DIR   (the stack's environment: TRITON_*, REDIS_URL, POSTGRES_URL,
                                    JWT_*, DEMO_API_KEY, STACK_OTLP_PORT, RDKAFKA_LIBRARY_PATH)

Starts an OTLP/HTTP receiver (protobuf and JSON) on STACK_OTLP_PORT, a router and a gateway
from BIN_DIR exporting their spans to it (OTEL_EXPORTER_OTLP_ENDPOINT), and turns the Tritons'
OpenTelemetry tracing on for the run (off again at the end). Then sends a `simple` infer over
HTTP and one over gRPC through the gateway, each with a W3C traceparent of a trace id chosen
here, and checks each trace: the gateway's server span is the child of the client's span; the
authentication and rate-limit spans are children of the gateway's; the router's server span is
the child of the gateway's; its routing span, its attempt span (with model and backend
attributes) and Triton's InferRequest span follow in that order; and the gateway's log lines of
the request carry the trace id. Prints each trace as an indented tree; exits 1 naming the first
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

import numpy as np
import tritonclient.grpc as grpcclient
from otlp_receiver import Receiver, find, free_port, http_ok, run, stop, tree, wait_until

def triton_tracing(level: str) -> None:
    for url in (os.environ["TRITON_A_URL"], os.environ["TRITON_B_URL"]):
        body = json.dumps({"trace_level": [level], "trace_rate": "1"}).encode()
        urllib.request.urlopen(urllib.request.Request(url + "/v2/trace/setting", data=body, method="POST"), timeout=5)


def check_trace(trace: str, client_span: str, gateway_server: str) -> None:
    gateway = wait_until(
        lambda: find(trace, gateway_server, "gateway", client_span), 15, f"the gateway's {gateway_server} span")
    wait_until(lambda: find(trace, "gateway.authenticate", "gateway", gateway["id"]), 5, "gateway.authenticate")
    wait_until(lambda: find(trace, "gateway.rate_limit", "gateway", gateway["id"]), 5, "gateway.rate_limit")
    router = wait_until(
        lambda: find(trace, "/v2/models/{model}/infer", "router", gateway["id"]), 15, "the router's span")
    route = wait_until(lambda: find(trace, "router.route", "router", router["id"]), 5, "router.route")
    attempt = wait_until(lambda: find(trace, "router.attempt", "router", route["id"]), 5, "router.attempt")
    if attempt["attributes"].get("inference.model", {}).get("stringValue") != "simple":
        raise AssertionError(f"router.attempt lacks the model: {attempt['attributes']}")
    if "inference.backend" not in attempt["attributes"]:
        raise AssertionError(f"router.attempt lacks the backend: {attempt['attributes']}")
    triton = wait_until(lambda: find(trace, "InferRequest"), 15, "Triton's InferRequest span")
    if triton["parent"] != attempt["id"]:
        raise AssertionError(f"Triton's span has parent {triton['parent']}, not the attempt {attempt['id']}")


def main() -> int:
    bin_dir = sys.argv[1]
    env = os.environ
    receiver = ThreadingHTTPServer(("127.0.0.1", int(env["STACK_OTLP_PORT"])), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    router_port, router_grpc, gateway_port, gateway_grpc = (free_port() for _ in range(4))
    common = {
        "PATH": env["PATH"], "PLATFORM_ENV": "local", "LOG_LEVEL": "info",
        "OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{env['STACK_OTLP_PORT']}", "OTEL_BSP_SCHEDULE_DELAY": "100",
        "LD_LIBRARY_PATH": env.get("RDKAFKA_LIBRARY_PATH", ""),
    }
    router_env = dict(common, ROUTER_LISTEN_PORT=str(router_port), ROUTER_GRPC_PORT=str(router_grpc),
                      ROUTER_BACKENDS=f"triton-a={env['TRITON_A_URL']},triton-b={env['TRITON_B_URL']}",
                      ROUTER_ROUTES_FILE="config/routes.yaml", ROUTER_ADMIN_TOKEN=secrets.token_hex(32))
    gateway_env = dict(common, GATEWAY_LISTEN_PORT=str(gateway_port), GATEWAY_GRPC_PORT=str(gateway_grpc),
                       GATEWAY_UPSTREAM_URL=f"http://127.0.0.1:{router_port}", REDIS_URL=env["REDIS_URL"],
                       POSTGRES_URL=env["POSTGRES_URL"], JWT_HS256_SECRET=env["JWT_HS256_SECRET"],
                       JWT_ISSUER=env["JWT_ISSUER"], JWT_AUDIENCE=env["JWT_AUDIENCE"],
                       GATEWAY_OPENAPI_FILE="docs/openapi.yaml")
    logs = {name: open(f"{os.environ.get('TMPDIR', '/tmp')}/traced-{name}-{os.getpid()}.log", "w+")
            for name in ("router", "gateway")}
    processes = [
        subprocess.Popen([f"{bin_dir}/router", "--config", "config/router.yaml"], env=router_env,
                         stdout=logs["router"], stderr=subprocess.STDOUT),
        subprocess.Popen([f"{bin_dir}/gateway", "--config", "config/gateway.yaml"], env=gateway_env,
                         stdout=logs["gateway"], stderr=subprocess.STDOUT),
    ]
    try:
        wait_until(lambda: http_ok(f"http://127.0.0.1:{router_port}/v2/health/ready"), 60, "the router")
        wait_until(lambda: http_ok(f"http://127.0.0.1:{gateway_port}/readyz"), 60, "the gateway")
        triton_tracing("TIMESTAMPS")
        key = env["DEMO_API_KEY"]
        a = np.arange(16, dtype=np.int32).reshape(1, 16)
        body = json.dumps({"inputs": [
            {"name": n, "datatype": "INT32", "shape": [1, 16], "data": a.reshape(-1).tolist()}
            for n in ("INPUT0", "INPUT1")]}).encode()

        http_trace, http_client_span = secrets.token_hex(16), secrets.token_hex(8)
        request = urllib.request.Request(
            f"http://127.0.0.1:{gateway_port}/v2/models/simple/infer", data=body, method="POST",
            headers={"content-type": "application/json", "x-api-key": key,
                     "traceparent": f"00-{http_trace}-{http_client_span}-01"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            if answer.status != 200:
                raise AssertionError(f"HTTP infer answered {answer.status}")

        grpc_trace, grpc_client_span = secrets.token_hex(16), secrets.token_hex(8)
        client = grpcclient.InferenceServerClient(f"127.0.0.1:{gateway_grpc}")
        inputs = [grpcclient.InferInput(n, [1, 16], "INT32") for n in ("INPUT0", "INPUT1")]
        for tensor in inputs:
            tensor.set_data_from_numpy(a)
        result = client.infer("simple", inputs, headers={
            "x-api-key": key, "traceparent": f"00-{grpc_trace}-{grpc_client_span}-01"})
        if result.as_numpy("OUTPUT0").tolist() != (a + a).tolist():
            raise AssertionError("gRPC infer returned wrong sums")

        check_trace(http_trace, http_client_span, "/v2/models/{model}/infer")
        print(f"HTTP trace {http_trace}:\n{tree(http_trace)}")
        check_trace(grpc_trace, grpc_client_span, "grpc ModelInfer")
        print(f"gRPC trace {grpc_trace}:\n{tree(grpc_trace)}")

        logs["gateway"].flush()
        logs["gateway"].seek(0)
        gateway_log = logs["gateway"].read()
        if http_trace not in gateway_log:
            raise AssertionError("no gateway log line carries the HTTP request's trace id")
        print("gateway log lines carry the trace id")
        print("traced request: all checks passed")
        return 0
    finally:
        try:
            triton_tracing("OFF")
        finally:
            stop(processes, receiver, logs)


if __name__ == "__main__":
    run(main, "traced request")
