"""Fault injection for the platform's tests and demonstrations.

Computes what `simple` computes, after an injected delay, or fails with an injected error.
The control file (FAULTY_CONTROL_FILE, JSON {"latency_ms": number, "slow_rate": 0..1,
"error_rate": 0..1}) sets this server's faults and is re-read when its modification time or size
changes; a missing or unreadable file means no faults. slow_rate (default 1) is the share of
requests that get the latency. The request parameters fault_latency_ms, fault_slow_rate and
fault_error_rate override it for one request. A "versions" object in the control file
({"versions": {"2": {"error_rate": 0.2}}}) sets one version's faults over the file's own, for
canary experiments. Random draws use a generator seeded from FAULTY_SEED when set.
"""

import json
import os
import random
import time

import numpy as np
import triton_python_backend_utils as pb_utils

MAX_LATENCY_MS = 10_000


class FaultControl:
    """The current faults from the control file, re-read when the file changes."""

    def __init__(self, path, version):
        self.path = path
        self.version = version
        self.stamp = None
        self.faults = (0.0, 1.0, 0.0)

    def current(self):
        """(latency_ms, slow_rate, error_rate) in force."""
        if not self.path:
            return self.faults
        try:
            info = os.stat(self.path)
            stamp = (info.st_mtime_ns, info.st_size)
        except OSError:
            stamp = None
        if stamp != self.stamp:
            self.stamp = stamp
            self.faults = (0.0, 1.0, 0.0)
            if stamp is not None:
                try:
                    with open(self.path, encoding="utf-8") as handle:
                        settings = json.load(handle)
                    self.faults = bounded(settings, "", (0.0, 1.0, 0.0))
                    own = settings.get("versions", {}).get(self.version)
                    if isinstance(own, dict):
                        self.faults = bounded(own, "", self.faults)
                except (OSError, ValueError, AttributeError):
                    pass
        return self.faults


def bounded(settings, prefix, defaults):
    """(latency_ms, slow_rate, error_rate) from `settings` (keys with `prefix`), clamped to what
    the model accepts; a missing or non-numeric value keeps its default."""

    def number(key, default, upper):
        value = settings.get(prefix + key, default)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return default
        return min(max(float(value), 0.0), upper)

    latency_ms, slow_rate, error_rate = defaults
    return (
        number("latency_ms", latency_ms, MAX_LATENCY_MS),
        number("slow_rate", slow_rate, 1.0),
        number("error_rate", error_rate, 1.0),
    )


class TritonPythonModel:
    def initialize(self, args):
        self.control = FaultControl(os.environ.get("FAULTY_CONTROL_FILE"), str(args.get("model_version", "")))
        seed = os.environ.get("FAULTY_SEED")
        self.random = random.Random(int(seed)) if seed and seed.isdigit() else random.Random()

    def execute(self, requests):
        responses = []
        for request in requests:
            parameters = json.loads(request.parameters() or "{}")
            latency_ms, slow_rate, error_rate = bounded(parameters, "fault_", self.control.current())
            if latency_ms > 0 and (slow_rate >= 1 or self.random.random() < slow_rate):
                time.sleep(latency_ms / 1000.0)
            if error_rate > 0 and self.random.random() < error_rate:
                error = pb_utils.TritonError(f"faulty: injected failure (error rate {error_rate:g})")
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
                continue
            responses.append(compute(request))
        return responses


def compute(request):
    in0 = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
    in1 = pb_utils.get_input_tensor_by_name(request, "INPUT1").as_numpy()
    if in0.shape != in1.shape:
        message = f"faulty: INPUT0 shape {list(in0.shape)} differs from INPUT1 shape {list(in1.shape)}"
        return pb_utils.InferenceResponse(output_tensors=[], error=pb_utils.TritonError(message))
    with np.errstate(over="ignore"):
        out0 = (in0.astype(np.int32) + in1.astype(np.int32)).astype(np.int32)
        out1 = (in0.astype(np.int32) - in1.astype(np.int32)).astype(np.int32)
    return pb_utils.InferenceResponse(output_tensors=[pb_utils.Tensor("OUTPUT0", out0), pb_utils.Tensor("OUTPUT1", out1)])
