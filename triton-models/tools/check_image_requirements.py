#!/usr/bin/env python3
"""Every third-party package a model imports is installed by the project's Triton image.

Usage: check_image_requirements.py [--dockerfile triton-models/Dockerfile]

Parses every Python file of every model folder under triton-models/ (repository/ and
production/): `import x`, `from x import y`, and `importlib.import_module("x")` with a literal
name. Not third-party: the standard library, `triton_python_backend_utils` (the Python backend
provides it), and modules that are files of the same model folder (e.g. digits_core.py). Each
remaining import must name a distribution that a `pip install` of the Dockerfile installs (the
import name is mapped to its distribution, e.g. PIL -> pillow). Also: the Dockerfile builds on
the official tritonserver image, a release at or after MINIMUM_RELEASE.

Exit status 0 when every import is covered; one line per problem otherwise.
"""

from __future__ import annotations

import argparse
import ast
import pathlib
import re
import shlex
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
TREES = ("repository", "production")
PROVIDED = {"triton_python_backend_utils", "__future__"}
# Import name -> distribution name, where they differ.
DISTRIBUTIONS = {
    "PIL": "pillow",
    "cv2": "opencv-python-headless",
    "sklearn": "scikit-learn",
    "yaml": "pyyaml",
    "google.protobuf": "protobuf",
    "skimage": "scikit-image",
}
# 25.07 is the first release with the fixes for the Triton CVEs published in August 2025.
MINIMUM_RELEASE = (25, 7)


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def imports_of(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "import_module" and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            names.add(node.args[0].value.split(".")[0])
    return names


def model_folders() -> list[pathlib.Path]:
    return sorted(p.parent for tree in TREES for p in (ROOT / tree).glob("*/config.pbtxt"))


def required() -> dict[str, set[str]]:
    """Distribution -> the model files that import it."""
    needed: dict[str, set[str]] = {}
    for folder in model_folders():
        files = sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)
        local = {p.stem for p in files}
        for path in files:
            for name in imports_of(path):
                if name in sys.stdlib_module_names or name in PROVIDED or name in local:
                    continue
                dist = normalise(DISTRIBUTIONS.get(name, name))
                needed.setdefault(dist, set()).add(str(path.relative_to(ROOT.parent)))
    return needed


def installed(dockerfile: pathlib.Path) -> tuple[set[str], str]:
    """Distributions the Dockerfile's pip installs name, and its base image."""
    text = dockerfile.read_text().replace("\\\n", " ")
    args = dict(re.findall(r"^ARG\s+(\w+)=(\S+)", text, re.M))
    base = ""
    packages = set()
    for line in text.splitlines():
        line = line.strip()
        if line.upper().startswith("FROM "):
            base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), m.group(0)), line.split()[1])
        if not line.upper().startswith("RUN "):
            continue
        for command in re.split(r"&&|;", line[4:]):
            words = [w for w in shlex.split(command) if "=" not in w or w.startswith("-") or "==" in w]
            if "pip" in words and "install" in words:
                for word in words[words.index("install") + 1:]:
                    if not word.startswith("-"):
                        packages.add(normalise(re.split(r"[<>=!~\[;]", word)[0]))
    return packages, base


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dockerfile", type=pathlib.Path, default=ROOT / "Dockerfile")
    options = parser.parse_args()
    problems = []
    packages, base = installed(options.dockerfile)
    match = re.fullmatch(r"nvcr\.io/nvidia/tritonserver:(\d+)\.(\d+)-py3", base)
    if not match:
        problems.append(f"{options.dockerfile.name}: base image {base!r} is not nvcr.io/nvidia/tritonserver:<YY.MM>-py3")
    elif (int(match.group(1)), int(match.group(2))) < MINIMUM_RELEASE:
        problems.append(f"{options.dockerfile.name}: Triton {match.group(1)}.{match.group(2)} predates "
                        f"{MINIMUM_RELEASE[0]}.{MINIMUM_RELEASE[1]:02d} (published CVEs)")
    needed = required()
    for dist, files in sorted(needed.items()):
        if dist not in packages:
            problems.append(f"{', '.join(sorted(files))}: imports {dist}, which {options.dockerfile.name} does not install")
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    if not problems:
        print(f"{len(model_folders())} models: every third-party import ({', '.join(sorted(needed))}) "
              f"is installed by {options.dockerfile.name} on {base}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
