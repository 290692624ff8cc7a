#!/usr/bin/env python3
"""A steady tritonclient.grpc load on ONE connection to the router while a Triton is killed.

Usage: grpc_kill_load.py ROUTER_GRPC TRITON_A_URL TRITON_B_URL [--calls N] [--workers W]

W threads share one client (one HTTP/2 connection) and make N `simple` infer calls in all, each
checked for exact sums. After the first N/5 calls the share each Triton served is read from the
Tritons' own statistics (calls are balanced per call, not per connection, so both must have
served some); then triton-a is killed (SIGKILL, scripts/stack/restart-component.sh) while the
load goes on, and started again after the last call (always, even on failure). Prints one JSON
line: calls, client-visible errors, per-backend counts before the kill, sample errors.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import threading
import urllib.request

import numpy as np
import tritonclient.grpc as grpcclient


def served(url: str) -> int:
    with urllib.request.urlopen(f"{url}/v2/models/simple/stats", timeout=10) as answer:
        stats = json.load(answer)["model_stats"]
    return sum(entry["inference_stats"]["success"]["count"] for entry in stats)


def stack(action: str, component: str) -> None:
    subprocess.run(["bash", "scripts/stack/restart-component.sh", action, component], check=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("router")
    parser.add_argument("triton_a")
    parser.add_argument("triton_b")
    parser.add_argument("--calls", type=int, default=3000)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()

    client = grpcclient.InferenceServerClient(args.router)
    a = np.arange(16, dtype=np.int32).reshape(1, 16)
    b = np.full((1, 16), 3, dtype=np.int32)
    lock = threading.Lock()
    state = {"next": 0, "done": 0, "errors": 0, "samples": []}
    warm = max(1, args.calls // 5)
    warmed = threading.Event()

    def worker() -> None:
        while True:
            with lock:
                if state["next"] >= args.calls:
                    return
                state["next"] += 1
            inputs = [grpcclient.InferInput("INPUT0", [1, 16], "INT32"), grpcclient.InferInput("INPUT1", [1, 16], "INT32")]
            inputs[0].set_data_from_numpy(a)
            inputs[1].set_data_from_numpy(b)
            error = None
            try:
                result = client.infer("simple", inputs, client_timeout=10)
                if not np.array_equal(result.as_numpy("OUTPUT0"), a + b):
                    error = "wrong sums"
            except Exception as failure:  # every client-visible failure counts
                error = str(failure)[:200]
            with lock:
                state["done"] += 1
                if error is not None:
                    state["errors"] += 1
                    if len(state["samples"]) < 5:
                        state["samples"].append(error)
                if state["done"] >= warm:
                    warmed.set()

    before = {"triton-a": served(args.triton_a), "triton-b": served(args.triton_b)}
    threads = [threading.Thread(target=worker) for _ in range(args.workers)]
    for thread in threads:
        thread.start()
    counts = {}
    try:
        warmed.wait(timeout=120)
        counts = {
            "triton-a": served(args.triton_a) - before["triton-a"],
            "triton-b": served(args.triton_b) - before["triton-b"],
        }
        stack("kill", "triton-a")
        for thread in threads:
            thread.join(timeout=300)
    finally:
        stack("start", "triton-a")
    print(
        json.dumps(
            {
                "calls": state["done"],
                "errors": state["errors"],
                "before_kill": counts,
                "samples": state["samples"],
            }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
