#!/usr/bin/env python3
"""gRPC statuses of the gateway's refusals, seen by stock clients (tritonclient.grpc and the
generated stub for trailing metadata).

Usage: tritonclient_grpc_errors.py GATEWAY KEY --limit N

KEY holds the `infer` scope and the gateway allows N calls per principal in the test's window.
Checks: a wrong key is UNAUTHENTICATED, no key is UNAUTHENTICATED, ServerLive needs no key, an
unknown model is NOT_FOUND, an invalid model name and a wrongly shaped input are
INVALID_ARGUMENT naming the problem (the same messages as the HTTP bodies), and of N + 3 infer
calls the last ones are RESOURCE_EXHAUSTED with a google.rpc.RetryInfo detail and `retry-after`.
The client's `x-request-id` comes back with an answer; a refusal of a call without one carries a
new one. Prints one line per check; exits 1 naming the first failure.
"""

from __future__ import annotations

import argparse
import sys

import grpc
import numpy as np
import tritonclient.grpc as grpcclient
from google.rpc import error_details_pb2, status_pb2
from tritonclient.grpc import service_pb2
from tritonclient.utils import InferenceServerException


def expect_status(name: str, call, status: str, contains: str = "") -> None:
    try:
        call()
    except InferenceServerException as error:
        if error.status() != status or contains not in (error.message() or ""):
            raise AssertionError(f"{name}: got {error.status()} {error.message()!r}, want {status} with {contains!r}")
        print(f"{name}: {status} {error.message()!r}")
        return
    raise AssertionError(f"{name}: the call succeeded, want {status}")


def simple_request(shape_16: int = 16) -> service_pb2.ModelInferRequest:
    request = service_pb2.ModelInferRequest(model_name="simple")
    for name in ("INPUT0", "INPUT1"):
        request.inputs.add(name=name, datatype="INT32", shape=[1, shape_16])
        request.raw_input_contents.append(np.ones(shape_16, dtype=np.int32).tobytes())
    return request


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("gateway")
    parser.add_argument("key")
    parser.add_argument("--limit", type=int, required=True)
    args = parser.parse_args()
    client = grpcclient.InferenceServerClient(args.gateway)
    good = {"x-api-key": args.key}

    if not client.is_server_live():
        raise AssertionError("ServerLive without a key: not live")
    print("ServerLive without a key: live")
    expect_status(
        "wrong key", lambda: client.get_model_metadata("simple", headers={"x-api-key": "tgk_wrong"}),
        "StatusCode.UNAUTHENTICATED")
    expect_status(
        "no key", lambda: client.get_model_metadata("simple"), "StatusCode.UNAUTHENTICATED", "credentials required")
    expect_status(
        "unknown model", lambda: client.get_model_metadata("no-such-model", headers=good), "StatusCode.NOT_FOUND")
    expect_status(
        "invalid model name", lambda: client.get_model_metadata("../simple", headers=good),
        "StatusCode.INVALID_ARGUMENT", "is not a valid model name")

    stub = client._client_stub
    metadata = list(good.items())
    try:
        stub.ModelInfer(simple_request(shape_16=15), metadata=metadata, timeout=10)
        raise AssertionError("wrong shape: the call succeeded")
    except grpc.RpcError as error:
        if error.code() != grpc.StatusCode.INVALID_ARGUMENT:
            raise AssertionError(f"wrong shape: got {error.code()} {error.details()}")
        print(f"wrong shape: INVALID_ARGUMENT {error.details()!r}")
        given = dict(error.trailing_metadata() or ()).get("x-request-id", "")
        if len(given) != 36:
            raise AssertionError(f"request id: a refusal without one carries {given!r}, want a new UUID")

    # The client's request id comes back with the answer.
    _, call = stub.ModelInfer.with_call(
        simple_request(), metadata=metadata + [("x-request-id", "grpc-errors-1")], timeout=10)
    echoed = dict(call.initial_metadata() or ()).get("x-request-id")
    if echoed != "grpc-errors-1":
        raise AssertionError(f"request id: sent 'grpc-errors-1', the answer carries {echoed!r}")
    print("request id: echoed on an answer; a new one on a refusal")

    # So far: 5 calls charged to the key (metadata x2, wrong shape, one infer; the unknown model too).
    refused = None
    for _ in range(args.limit + 3):
        try:
            stub.ModelInfer(simple_request(), metadata=metadata, timeout=10)
        except grpc.RpcError as error:
            if error.code() != grpc.StatusCode.RESOURCE_EXHAUSTED:
                raise AssertionError(f"over the limit: got {error.code()} {error.details()}")
            refused = error
            break
    if refused is None:
        raise AssertionError(f"over the limit: {args.limit + 3} calls all succeeded")
    trailing = dict(refused.trailing_metadata() or ())
    status = status_pb2.Status.FromString(trailing["grpc-status-details-bin"])
    retry = error_details_pb2.RetryInfo()
    if not any(detail.Unpack(retry) for detail in status.details):
        raise AssertionError("over the limit: no RetryInfo detail")
    if int(trailing.get("retry-after", "0")) < 1:
        raise AssertionError(f"over the limit: retry-after is {trailing.get('retry-after')!r}")
    print(
        f"over the limit: RESOURCE_EXHAUSTED {refused.details()!r}, retry in {retry.retry_delay.seconds} s, "
        f"retry-after {trailing['retry-after']}")
    print("grpc errors: all checks passed")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Exception as error:
        print(f"grpc errors FAILED: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
