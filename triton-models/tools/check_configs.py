#!/usr/bin/env python3
"""Validate every model configuration under triton-models/ without a GPU.

Each config.pbtxt (local repository and production) is parsed into Triton's
ModelConfig protobuf (from tritonclient), so a misspelt field or a bad value
fails here instead of at deployment. Also checked: the model name matches its
folder, every label_filename exists with one line per output element, and each
Python-backend version folder has its model.py.

Exit status 0 when everything is valid; one line per problem otherwise.
"""

from __future__ import annotations

import math
import os
import sys

from google.protobuf import text_format
from tritonclient.grpc import model_config_pb2

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
TREES = ("repository", "production", "fault-injection")


def check_model(model_dir: str) -> list[str]:
    problems = []
    where = os.path.relpath(model_dir, ROOT)
    config = model_config_pb2.ModelConfig()
    try:
        with open(os.path.join(model_dir, "config.pbtxt"), encoding="utf-8") as fh:
            text_format.Parse(fh.read(), config)
    except text_format.ParseError as exc:
        return [f"{where}/config.pbtxt: {exc}"]

    if config.name != os.path.basename(model_dir):
        problems.append(f"{where}: name '{config.name}' differs from the folder name")
    if not (config.backend or config.platform):
        problems.append(f"{where}: neither backend nor platform set")
    for output in config.output:
        if output.label_filename:
            path = os.path.join(model_dir, output.label_filename)
            if not os.path.isfile(path):
                problems.append(f"{where}: label file {output.label_filename} missing")
                continue
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
            expected = math.prod(output.dims)
            if len(lines) != expected:
                problems.append(f"{where}: {output.label_filename} has {len(lines)} lines, output has {expected}")
    versions = [d for d in os.listdir(model_dir) if d.isdigit() and os.path.isdir(os.path.join(model_dir, d))]
    if not versions:
        problems.append(f"{where}: no version folder")
    if config.backend == "python":
        for version in versions:
            if not os.path.isfile(os.path.join(model_dir, version, "model.py")):
                problems.append(f"{where}/{version}: model.py missing")
    return problems


def main() -> int:
    problems, count = [], 0
    for tree in TREES:
        base = os.path.join(ROOT, tree)
        for name in sorted(os.listdir(base)):
            model_dir = os.path.join(base, name)
            if os.path.isfile(os.path.join(model_dir, "config.pbtxt")):
                count += 1
                problems += check_model(model_dir)
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"checked {count} model configs: {'ok' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
