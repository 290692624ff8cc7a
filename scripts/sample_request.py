#!/usr/bin/env python3
"""Send one held-out handwritten digit to Triton and print the top-k classes.

Uses tritonclient.http with the binary tensor data extension for the input and
output, and Triton's classification extension (class_count) so the server
returns "score:index:label" strings for the top k classes.

  python scripts/sample_request.py [--url http://127.0.0.1:18000] [--index 0]
                                   [--model digits] [--version 2] [--top-k 3]

Defaults: GATEWAY_URL, else ROUTER_URL, else TRITON_A_URL from the environment (see .stack/env), the held-out set
in TRITON_MODELS_TESTDATA (or triton-models/testdata next to this script).
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys

import numpy as np
import tritonclient.http as httpclient

HERE = os.path.dirname(os.path.abspath(__file__))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    # The front-most service that runs: the gateway (with the demo API key), the router, a Triton.
    default_url = (
        os.environ.get("GATEWAY_URL") or os.environ.get("ROUTER_URL") or os.environ.get("TRITON_A_URL")
        or "http://127.0.0.1:18000"
    )
    parser.add_argument("--url", default=default_url)
    parser.add_argument("--api-key", default=os.environ.get("DEMO_API_KEY", ""), help="sent as x-api-key")
    parser.add_argument("--model", default="digits")
    parser.add_argument("--version", default="", help="model version (default: Triton's choice, the latest)")
    parser.add_argument("--index", type=int, default=0, help="which held-out item to send")
    parser.add_argument("--top-k", type=int, default=3)
    args = parser.parse_args()

    testdata = os.environ.get("TRITON_MODELS_TESTDATA") or os.path.join(HERE, "..", "triton-models", "testdata")
    with open(os.path.join(testdata, "digits_holdout.json"), encoding="utf-8") as fh:
        holdout = json.load(fh)
    item = holdout["items"][args.index]
    png = base64.b64decode(item["png_base64"])

    url = args.url.split("://", 1)[-1]  # the client wants host:port
    client = httpclient.InferenceServerClient(url=url, connection_timeout=10, network_timeout=30)
    image = httpclient.InferInput("IMAGE", [1, 1], "BYTES")
    image.set_data_from_numpy(np.array([[png]], dtype=np.object_), binary_data=True)
    wanted = httpclient.InferRequestedOutput("PROBABILITIES", binary_data=True, class_count=args.top_k)
    headers = {"x-api-key": args.api_key} if args.api_key else None
    result = client.infer(args.model, inputs=[image], outputs=[wanted], model_version=args.version, headers=headers)

    response = result.get_response()
    print(
        f"sample: {args.url} model {response['model_name']} version {response['model_version']}: "
        f"held-out item {args.index} ({len(png)} byte PNG), true label {item['label']}"
    )
    for rank, entry in enumerate(result.as_numpy("PROBABILITIES").reshape(-1), start=1):
        text = entry.decode() if isinstance(entry, bytes) else str(entry)
        score, index, label = text.split(":", 2)
        print(f"  top{rank}: label {label} (class {index}) score {float(score):.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
