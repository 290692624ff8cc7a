#!/usr/bin/env python3
"""Stock `tritonclient` (HTTP) against an endpoint that claims to be Triton, compared with a Triton.

Usage: tritonclient_parity.py CANDIDATE_URL REFERENCE_URL HOLDOUT_JSON [--header NAME=VALUE ...]

Runs the same calls against both (server/model readiness and metadata, `simple` with binary
inputs and outputs, `digits` classification top-3 through the classification extension on
PNG images) and exits 1 naming the first difference. Headers (e.g. an API key) are sent to the
candidate only.
"""

from __future__ import annotations

from urllib.parse import urlparse

import numpy as np
import tritonclient.http as httpclient
from parity import Parity, arguments, holdout_pngs, run


def client(url: str) -> httpclient.InferenceServerClient:
    parsed = urlparse(url)
    return httpclient.InferenceServerClient(url=parsed.netloc, connection_timeout=10, network_timeout=30)


def simple_outputs(c: httpclient.InferenceServerClient, headers: dict) -> tuple:
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.full((1, 16), -7, dtype=np.int32)
    inputs = [httpclient.InferInput("INPUT0", [1, 16], "INT32"), httpclient.InferInput("INPUT1", [1, 16], "INT32")]
    inputs[0].set_data_from_numpy(a, binary_data=True)
    inputs[1].set_data_from_numpy(b, binary_data=True)
    outputs = [httpclient.InferRequestedOutput(n, binary_data=True) for n in ("OUTPUT0", "OUTPUT1")]
    result = c.infer("simple", inputs, outputs=outputs, headers=headers)
    out0, out1 = result.as_numpy("OUTPUT0"), result.as_numpy("OUTPUT1")
    if not (np.array_equal(out0, a + b) and np.array_equal(out1, a - b)):
        raise AssertionError(f"simple returned wrong values: {out0} {out1}")
    return out0.tolist(), out1.tolist()


def classify(c: httpclient.InferenceServerClient, png: bytes, headers: dict) -> list:
    image = httpclient.InferInput("IMAGE", [1, 1], "BYTES")
    image.set_data_from_numpy(np.array([[png]], dtype=np.object_), binary_data=True)
    output = httpclient.InferRequestedOutput("PROBABILITIES", binary_data=True, class_count=3)
    result = c.infer("digits", [image], model_version="1", outputs=[output], headers=headers)
    return [x.decode() for x in result.as_numpy("PROBABILITIES").reshape(-1)]


def main() -> int:
    args = arguments()
    headers = args.headers
    cand, ref = client(args.candidate), client(args.reference)
    parity = Parity()
    same = parity.same

    same("server ready", cand.is_server_ready(headers=headers), ref.is_server_ready())
    same("server live", cand.is_server_live(headers=headers), ref.is_server_live())
    for model in ("simple", "digits"):
        same(f"{model} ready", cand.is_model_ready(model, headers=headers), ref.is_model_ready(model))
        same(f"{model} metadata", cand.get_model_metadata(model, headers=headers), ref.get_model_metadata(model))
    same("simple infer", simple_outputs(cand, headers), simple_outputs(ref, {}))
    for i, png in enumerate(holdout_pngs(args.holdout, args.images)):
        same(f"classification of held-out image {i}", classify(cand, png, headers), classify(ref, png, {}))
    print(f"tritonclient parity: {parity.checks} checks identical")
    return 0


if __name__ == "__main__":
    run(main, "tritonclient parity")
