"""Triton's `simple` example model for the Python backend.

OUTPUT0 = INPUT0 + INPUT1 and OUTPUT1 = INPUT0 - INPUT1, element-wise on int32
tensors of shape [batch, 16] (int32 arithmetic wraps around like Triton's C++
example).
"""

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            in0 = pb_utils.get_input_tensor_by_name(request, "INPUT0").as_numpy()
            in1 = pb_utils.get_input_tensor_by_name(request, "INPUT1").as_numpy()
            if in0.shape != in1.shape:
                message = f"simple: INPUT0 shape {list(in0.shape)} differs from INPUT1 shape {list(in1.shape)}"
                code = getattr(pb_utils.TritonError, "INVALID_ARG", None)
                error = pb_utils.TritonError(message, code) if code is not None else pb_utils.TritonError(message)
                responses.append(pb_utils.InferenceResponse(output_tensors=[], error=error))
                continue
            with np.errstate(over="ignore"):
                out0 = (in0.astype(np.int32) + in1.astype(np.int32)).astype(np.int32)
                out1 = (in0.astype(np.int32) - in1.astype(np.int32)).astype(np.int32)
            responses.append(
                pb_utils.InferenceResponse(
                    output_tensors=[pb_utils.Tensor("OUTPUT0", out0), pb_utils.Tensor("OUTPUT1", out1)]
                )
            )
        return responses
