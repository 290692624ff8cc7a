"""What the tracing scripts share: an OTLP/HTTP trace receiver (protobuf and JSON) that keeps
every span it is sent, bounded waits, a printable tree of one trace, stopping what a script
started, and its failure line."""

from __future__ import annotations

import base64
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import IO, Callable

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2

spans: list[dict] = []
lock = threading.Lock()


def hex_id(value: str) -> str:
    """OTLP/JSON writes ids as hex; protobuf's JSON reader took them for base64: undo that."""
    return base64.b64encode(value).decode() if isinstance(value, bytes) else value


class Receiver(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 (the handler's name)
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        request = trace_service_pb2.ExportTraceServiceRequest()
        is_json = "json" in (self.headers.get("content-type") or "")
        if is_json:
            json_format.Parse(body, request, ignore_unknown_fields=True)
        else:
            request.ParseFromString(body)
        with lock:
            for resource in request.resource_spans:
                service = next(
                    (a.value.string_value for a in resource.resource.attributes if a.key == "service.name"), "?")
                for scope in resource.scope_spans:
                    for span in scope.spans:
                        ids = [span.trace_id, span.span_id, span.parent_span_id]
                        trace, own, parent = (hex_id(i) if is_json else i.hex() for i in ids)
                        spans.append({
                            "trace": trace, "id": own, "parent": parent, "name": span.name, "service": service,
                            "attributes": {a.key: json_format.MessageToDict(a.value) for a in span.attributes},
                        })
        self.send_response(200)
        self.send_header("content-type", self.headers.get("content-type") or "application/x-protobuf")
        self.end_headers()
        self.wfile.write(b"{}" if is_json else trace_service_pb2.ExportTraceServiceResponse().SerializeToString())

    def log_message(self, *args) -> None:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds} s waiting for {what}")


def http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:
            return answer.status == 200
    except Exception:
        return False


def tree(trace: str) -> str:
    with lock:
        mine = [s for s in spans if s["trace"] == trace]
    lines = []

    def walk(parent: str, depth: int) -> None:
        for span in sorted((s for s in mine if s["parent"] == parent), key=lambda s: s["name"]):
            keys = {k: v for k, v in span["attributes"].items() if k.startswith(("inference.", "enduser", "rpc.method"))}
            lines.append(f"{'  ' * depth}{span['service']}: {span['name']} {json.dumps(keys) if keys else ''}".rstrip())
            walk(span["id"], depth + 1)

    ids = {s["id"] for s in mine}
    for root in {s["parent"] for s in mine if s["parent"] not in ids}:
        lines.append(f"(client span {root})")
        walk(root, 1)
    return "\n".join(lines)


def find(trace: str, name: str, service: str | None = None, parent: str | None = None) -> dict | None:
    """The first span of `trace` named `name` (from `service`, under `parent`, when given)."""
    with lock:
        return next(
            (s for s in spans if s["trace"] == trace and s["name"] == name
             and (service is None or s["service"] == service) and (parent is None or s["parent"] == parent)),
            None)


def stop(processes: list[subprocess.Popen], receiver: ThreadingHTTPServer, logs: dict[str, IO]) -> None:
    """Stops the processes (TERM, then KILL after 15 s), the receiver, and removes the logs."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
    receiver.shutdown()
    for log in logs.values():
        log.close()
        os.unlink(log.name)


def run(main: Callable[[], int], title: str) -> None:
    """Exits with `main`'s code, or 1 with one clear line and the last spans received."""
    try:
        sys.exit(main())
    except Exception as error:
        print(f"{title} FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        with lock:
            for span in spans[-40:]:
                print(f"  span {span['service']} {span['name']} trace={span['trace']}", file=sys.stderr)
        sys.exit(1)
