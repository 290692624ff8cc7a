"""Triton Python-backend model for the `digits` classifier.

Every version folder (1/, 2/, ...) holds a symlink `model.py -> ../model.py` and
its own `weights.npz`; the code is shared. Preprocessing and the forward pass
live in `digits_core.py` next to this file (also used by the training tools).

Input  IMAGE          TYPE_STRING [1]  encoded PNG or JPEG bytes
Output PROBABILITIES  TYPE_FP32  [10] softmax over the digits 0..9

A request whose image cannot be decoded gets an error response of its own; the
other requests of the same batch are answered normally.
"""

import importlib
import json
import os
import sys

import numpy as np
import triton_python_backend_utils as pb_utils

# The backend stub ignores PYTHONDONTWRITEBYTECODE; without this, importing the
# shared module leaves a __pycache__ folder in the model folder, which Triton
# then reports as an invalid version folder on every load.
sys.dont_write_bytecode = True


def _invalid_argument(message):
    """An error response for a bad request (HTTP 400 where the backend supports codes)."""
    code = getattr(pb_utils.TritonError, "INVALID_ARG", None)
    error = pb_utils.TritonError(message, code) if code is not None else pb_utils.TritonError(message)
    return pb_utils.InferenceResponse(output_tensors=[], error=error)


class TritonPythonModel:
    def initialize(self, args):
        # args["model_repository"] is this model's folder (the parent of the
        # version folders); the shared module lives there.
        model_dir = args["model_repository"]
        if model_dir not in sys.path:
            sys.path.insert(0, model_dir)
        self.core = importlib.import_module("digits_core")

        version = args["model_version"]
        weights_path = os.path.join(model_dir, version, "weights.npz")
        self.layers = self.core.load_weights(weights_path)

        config = json.loads(args["model_config"])
        output_config = pb_utils.get_output_config_by_name(config, "PROBABILITIES")
        self.output_dtype = pb_utils.triton_string_to_numpy(output_config["data_type"])
        self.logger = pb_utils.Logger
        hidden = [layer["W"].shape[1] for layer in self.layers[:-1]]
        self.logger.log_info(
            f"digits version {version}: loaded {weights_path} (hidden layers {hidden or 'none'})"
        )

    def _request_features(self, request):
        """Features [n, 64] for one request, or raise ImageDecodeError / ValueError."""
        tensor = pb_utils.get_input_tensor_by_name(request, "IMAGE")
        if tensor is None:
            raise ValueError("input IMAGE is missing")
        images = tensor.as_numpy()
        if images.ndim == 0 or images.size == 0:
            raise ValueError("input IMAGE is empty")
        images = images.reshape(images.shape[0], -1)
        if images.shape[1] != 1:
            raise ValueError(f"input IMAGE must have shape [batch, 1], got {list(tensor.as_numpy().shape)}")
        rows = []
        for index, item in enumerate(images[:, 0]):
            try:
                rows.append(self.core.decode_features(item))
            except self.core.ImageDecodeError as exc:
                where = f"IMAGE[{index}]" if images.shape[0] > 1 else "IMAGE"
                raise self.core.ImageDecodeError(f"{where}: {exc}") from None
        return np.stack(rows)

    def execute(self, requests):
        responses = [None] * len(requests)
        good = []  # (request index, features)
        for i, request in enumerate(requests):
            try:
                good.append((i, self._request_features(request)))
            except Exception as exc:  # a bad request must never take the model down
                responses[i] = _invalid_argument(f"digits: {exc}")

        if good:
            # One forward pass over every decodable request of this batch.
            stacked = np.concatenate([features for _, features in good], axis=0)
            probabilities = self.core.forward(self.layers, stacked).astype(self.output_dtype)
            offset = 0
            for i, features in good:
                n = features.shape[0]
                out = pb_utils.Tensor("PROBABILITIES", probabilities[offset : offset + n])
                responses[i] = pb_utils.InferenceResponse(output_tensors=[out])
                offset += n
        return responses

    def finalize(self):
        self.layers = None
