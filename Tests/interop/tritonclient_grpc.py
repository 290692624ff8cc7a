#!/usr/bin/env python3
"""Stock `tritonclient.grpc` against an endpoint that claims to be Triton's gRPC service, compared
with a Triton's own gRPC endpoint.

Usage: tritonclient_grpc.py CANDIDATE REFERENCE HOLDOUT_JSON [--header NAME=VALUE ...]
       [--deadline-model MODEL]

CANDIDATE and REFERENCE are host:port. Runs the same calls against both: server and model
readiness, model metadata, model config, `simple` with exact sums (raw tensors, and typed
`int_contents` through the generated stub), `digits` top-3 classification of held-out PNGs, and
an async infer; then, with --deadline-model, an infer of the model's version 1 that the model
delays by 3 s under a 300 ms client deadline must fail with DEADLINE_EXCEEDED well before the
delay ends. Exits 1 naming the first difference. Headers (e.g. an API key) go to the candidate only.
"""

from __future__ import annotations

import queue
import time

import numpy as np
import tritonclient.grpc as grpcclient
from tritonclient.grpc import service_pb2
from tritonclient.utils import InferenceServerException

from parity import Parity, arguments, holdout_pngs, run


def simple_inputs(a: np.ndarray, b: np.ndarray) -> list:
    inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a)
    inputs[1].set_data_from_numpy(b)
    return inputs


def simple_outputs(c: grpcclient.InferenceServerClient, headers: dict) -> tuple:
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.full((1, 16), -7, dtype=np.int32)
    result = c.infer("simple", simple_inputs(a, b), headers=headers)
    out0, out1 = result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")
    if not (np.array_equal(out0, a + b) and np.array_equal(out1, a - b)):
        raise AssertionError(f"simple returned wrong values: {out0} {out1}")
    return out0.tolist(), out1.tolist()


def typed_contents(c: grpcclient.InferenceServerClient, headers: dict) -> list:
    """INT32 inputs as typed int_contents (not raw bytes), through the generated stub."""
    request = service_pb2.ModelInferRequest(model_name="simple")
    for name, values in (("INPUT0", range(16)), ("INPUT1", [3] * 16)):
        tensor = request.inputs.add(name=name, datatype="INT32", shape=[1, 16])
        tensor.contents.int_contents.extend(values)
    response = c._client_stub.ModelInfer(request, metadata=list(headers.items()), timeout=30)
    out0 = np.frombuffer(response.raw_output_contents[0], dtype=np.int32)
    if out0.tolist() != [v + 3 for v in range(16)]:
        raise AssertionError(f"typed contents gave {out0.tolist()}")
    return out0.tolist()


def classify(c: grpcclient.InferenceServerClient, png: bytes, headers: dict) -> list:
    image = grpcclient.InferInput("IMAGE", [1, 1], "BYTES")
    image.set_data_from_numpy(np.array([[png]], dtype=np.object_))
    output = grpcclient.InferRequestedOutput("PROBABILITIES", class_count=3)
    result = c.infer("digits", [image], model_version="1", outputs=[output], headers=headers)
    return [x.decode() for x in result.as_numpy("PROBABILITIES").reshape(-1)]


def async_sum(c: grpcclient.InferenceServerClient, headers: dict) -> list:
    done: queue.Queue = queue.Queue()
    a = np.full((1, 16), 5, dtype=np.int32)
    c.async_infer("simple", simple_inputs(a, a), lambda result, error: done.put((result, error)), headers=headers)
    result, error = done.get(timeout=30)
    if error is not None:
        raise AssertionError(f"async infer failed: {error}")
    return result.as_numpy("OUTPUT0").tolist()


def health(address: str) -> str:
    """grpc.health.v1.Health/Check for the whole server, the inference service and an unknown one,
    with hand-encoded messages (field 1, a string; the answer's field 1, an enum: SERVING is 1)."""
    import grpc

    channel = grpc.insecure_channel(address)
    check = channel.unary_unary("/grpc.health.v1.Health/Check")
    for service in (b"", b"inference.GRPCInferenceService"):
        request = b"\x0a" + bytes([len(service)]) + service if service else b""
        answer = check(request, timeout=10)
        if answer != b"\x08\x01":
            raise AssertionError(f"health of {service!r}: answer {answer!r}, want SERVING")
    try:
        check(b"\x0a\x07unknown", timeout=10)
        raise AssertionError("health of an unknown service: answered")
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.NOT_FOUND:
            raise AssertionError(f"health of an unknown service: {error.code()}")
    channel.close()
    return "SERVING, unknown service NOT_FOUND"


def config_summary(c: grpcclient.InferenceServerClient, model: str, headers: dict) -> dict:
    config = c.get_model_config(model, headers=headers, as_json=True)["config"]
    keep = ("name", "backend", "max_batch_size", "input", "output", "version_policy")
    return {key: config.get(key) for key in keep}


def deadline(c: grpcclient.InferenceServerClient, model: str, headers: dict) -> str:
    a = np.zeros((1, 16), dtype=np.int32)
    inputs = simple_inputs(a, a)
    started = time.monotonic()
    try:
        # Version 1: the delayed request holds one of its instances for 3 s after the client has
        # gone, and the routing tests that run beside this one load version 2.
        c.infer(
            model,
            inputs,
            model_version="1",
            headers=headers,
            client_timeout=0.3,
            parameters={"fault_latency_ms": 3000},
        )
    except InferenceServerException as error:
        elapsed = time.monotonic() - started
        if error.status() != "StatusCode.DEADLINE_EXCEEDED":
            raise AssertionError(f"deadline: got {error.status()} {error.message()}")
        if elapsed > 2.0:
            raise AssertionError(f"deadline: the error came after {elapsed:.2f} s")
        return f"DEADLINE_EXCEEDED after {elapsed * 1000:.0f} ms"
    raise AssertionError("deadline: the delayed infer succeeded")


def main() -> int:
    args = arguments(lambda parser: parser.add_argument("--deadline-model"))
    headers = args.headers
    cand, ref = grpcclient.InferenceServerClient(args.candidate), grpcclient.InferenceServerClient(args.reference)
    parity = Parity()
    same = parity.same

    print(f"health: {health(args.candidate)}")
    parity.passed("health")
    same("server live", cand.is_server_live(headers=headers), ref.is_server_live())
    same("server ready", cand.is_server_ready(headers=headers), ref.is_server_ready())
    for model in ("simple", "digits"):
        same(f"{model} ready", cand.is_model_ready(model, headers=headers), ref.is_model_ready(model))
        same(
            f"{model} metadata",
            cand.get_model_metadata(model, headers=headers, as_json=True),
            ref.get_model_metadata(model, as_json=True),
        )
        same(f"{model} config", config_summary(cand, model, headers), config_summary(ref, model, {}))
    same("simple infer", simple_outputs(cand, headers), simple_outputs(ref, {}))
    same("simple typed contents", typed_contents(cand, headers), typed_contents(ref, {}))
    same("async infer", async_sum(cand, headers), async_sum(ref, {}))
    for i, png in enumerate(holdout_pngs(args.holdout, args.images)):
        same(f"classification of held-out image {i}", classify(cand, png, headers), classify(ref, png, {}))
    if args.deadline_model:
        print(f"deadline: {deadline(cand, args.deadline_model, headers)}")
        parity.passed("deadline")
    print(f"tritonclient.grpc parity: {parity.checks} checks identical")
    return 0


if __name__ == "__main__":
    run(main, "tritonclient.grpc parity")
