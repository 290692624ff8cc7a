#!/usr/bin/env python3
"""Export torchvision's ResNet-50 (ImageNet-1k) to ONNX for the production
`resnet50_onnx` model (triton-models/production/resnet50_onnx/1/model.onnx).

This does NOT run on the development or CI machines of this project: they have
neither torch/torchvision installed nor network access to fetch the pretrained
weights. Run it where both are available (pip install torch torchvision onnx),
or pass --weights with a local copy of the weights file
(ResNet50_Weights.IMAGENET1K_V2, a state dict saved with torch.save).

The exported graph:
  input   "input"   float32 [N, 3, 224, 224]  (normalised RGB, see config.pbtxt)
  output  "logits"  float32 [N, 1000]
with a dynamic batch dimension N (Triton's max_batch_size is 64).
The class order matches production/resnet50_onnx/imagenet_labels.txt
(written by make_imagenet_labels.py from the same torchvision).

A TensorRT engine for ../resnet50_trt is then built from this file with
trtexec (command in production/resnet50_trt/config.pbtxt).
"""

from __future__ import annotations

import argparse
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "production", "resnet50_onnx", "1", "model.onnx")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--weights", help="local state-dict file instead of downloading IMAGENET1K_V2")
    parser.add_argument("--opset", type=int, default=17)
    parser.add_argument("--check", action="store_true", help="compare ONNX Runtime output with PyTorch (needs onnxruntime)")
    args = parser.parse_args()

    try:
        import torch
        import torchvision
    except ImportError as exc:
        sys.exit(f"needs torch and torchvision ({exc}); see this script's docstring")

    if args.weights:
        model = torchvision.models.resnet50(weights=None)
        model.load_state_dict(torch.load(args.weights, map_location="cpu"))
    else:
        model = torchvision.models.resnet50(weights=torchvision.models.ResNet50_Weights.IMAGENET1K_V2)
    model.eval()

    example = torch.randn(2, 3, 224, 224)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    torch.onnx.export(
        model,
        example,
        args.out,
        input_names=["input"],
        output_names=["logits"],
        dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
        opset_version=args.opset,
        do_constant_folding=True,
    )
    print(f"wrote {args.out}")

    if args.check:
        import numpy as np
        import onnxruntime as ort

        runner = ort.InferenceSession(args.out, providers=["CPUExecutionProvider"])
        (onnx_out,) = runner.run(["logits"], {"input": example.numpy()})
        with torch.no_grad():
            torch_out = model(example).numpy()
        diff = float(np.abs(onnx_out - torch_out).max())
        print(f"max |onnx - torch| = {diff:.2e}")
        if diff > 1e-3:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
