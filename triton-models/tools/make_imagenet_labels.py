#!/usr/bin/env python3
"""Write the 1000 ImageNet-1k class names, one per line in class-index order,
for the production ResNet-50 configs (label_filename of the classification
extension).

The names are the ones torchvision publishes with its pretrained ImageNet
classifiers (the `categories` of the ResNet50_Weights enums, defined in
torchvision/models/_meta.py), so they match the class indices of a ResNet-50
exported by export_resnet50_onnx.py.

The list is read from torchvision's source without importing torch:
  * from an installed torchvision (its folder is located, not imported), or
  * from a torchvision wheel file:  make_imagenet_labels.py --wheel torchvision-*.whl
Output: production/resnet50_onnx/imagenet_labels.txt (the TensorRT variant links to it).
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import os
import sys
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(os.path.dirname(HERE), "production", "resnet50_onnx", "imagenet_labels.txt")
META_PATH = "torchvision/models/_meta.py"


def read_meta_source(wheel: str | None) -> str:
    if wheel:
        with zipfile.ZipFile(wheel) as zf:
            return zf.read(META_PATH).decode("utf-8")
    spec = importlib.util.find_spec("torchvision")  # locates the package, runs none of it
    if spec is None or not spec.submodule_search_locations:
        sys.exit("torchvision is not installed: pass --wheel path/to/torchvision-*.whl")
    path = os.path.join(list(spec.submodule_search_locations)[0], "models", "_meta.py")
    with open(path, encoding="utf-8") as fh:
        return fh.read()


def imagenet_categories(source: str) -> list[str]:
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "_IMAGENET_CATEGORIES" for t in node.targets
        ):
            names = ast.literal_eval(node.value)
            break
    else:
        sys.exit("_IMAGENET_CATEGORIES not found in torchvision/models/_meta.py")
    if len(names) != 1000 or not all(isinstance(n, str) and n and "\n" not in n for n in names):
        sys.exit(f"unexpected ImageNet category list ({len(names)} entries)")
    return names


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", help="read from this torchvision wheel instead of an installed torchvision")
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()
    names = imagenet_categories(read_meta_source(args.wheel))
    with open(args.out, "w", encoding="utf-8") as fh:
        fh.write("\n".join(names) + "\n")
    print(f"wrote {len(names)} labels to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
