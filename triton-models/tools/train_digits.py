#!/usr/bin/env python3
"""Train the two versions of the `digits` model and write the held-out test set.

Data: scikit-learn's bundled handwritten digits (sklearn.datasets.load_digits,
1797 images of 8x8 pixels, values 0..16; shipped inside scikit-learn, nothing
is downloaded).

Every image is first rendered the way a client would send it (32x32 PNG,
nearest-neighbour upsample of the 8x8 image, 0..16 scaled to 0..255) and turned
back into features by `digits_core.decode_features`, the function the served
model runs. Training, offline evaluation and serving therefore see identical
features.

Outputs (paths relative to triton-models/):
  repository/digits/<version>/weights.npz   float32 weights, reproducible bytes
  testdata/digits_holdout.json              held-out images + offline accuracy

The held-out images (a stratified 20 % split) are never used for training.
Offline accuracy is computed from the PNG bytes stored in the JSON, through
decode -> resize -> forward with the weights read back from weights.npz.

Deterministic: fixed seeds, full control of the file bytes; running it twice
gives identical files (`--check` verifies that the committed files match).

Usage:  python3 train_digits.py [--check]
Needs:  numpy, pillow, scikit-learn.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS_ROOT = os.path.dirname(HERE)
DIGITS_DIR = os.path.join(MODELS_ROOT, "repository", "digits")
HOLDOUT_PATH = os.path.join(MODELS_ROOT, "testdata", "digits_holdout.json")

sys.path.insert(0, DIGITS_DIR)
import digits_core  # noqa: E402  (shared with the served model)

SPLIT_SEED = 20240
HOLDOUT_FRACTION = 0.2

# The two served versions differ in architecture, seed and training length.
VERSIONS = {
    "1": {"hidden": [], "seed": 1, "epochs": 40, "learning_rate": 0.05},  # multinomial logistic regression
    "2": {"hidden": [32], "seed": 2, "epochs": 80, "learning_rate": 0.05},  # one hidden ReLU layer
}
BATCH_SIZE = 32
MOMENTUM = 0.9
WEIGHT_DECAY = 1e-4


def stratified_split(labels: np.ndarray, fraction: float, seed: int):
    """Indices (train, holdout): `fraction` of each class goes to the holdout."""
    rng = np.random.default_rng(seed)
    train, holdout = [], []
    for digit in range(digits_core.NUM_CLASSES):
        idx = np.flatnonzero(labels == digit)
        idx = idx[rng.permutation(len(idx))]
        n_hold = int(round(len(idx) * fraction))
        holdout.extend(idx[:n_hold].tolist())
        train.extend(idx[n_hold:].tolist())
    return np.array(sorted(train)), np.array(sorted(holdout))


def init_layers(sizes, rng):
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        w = rng.standard_normal((fan_in, fan_out)) * np.sqrt(2.0 / fan_in)
        layers.append({"W": w, "b": np.zeros(fan_out)})
    return layers


def train(features: np.ndarray, labels: np.ndarray, spec: dict):
    """Minibatch SGD with momentum on softmax cross-entropy, float64, fixed seed."""
    rng = np.random.default_rng(spec["seed"])
    sizes = [digits_core.NUM_FEATURES, *spec["hidden"], digits_core.NUM_CLASSES]
    layers = init_layers(sizes, rng)
    velocity = [{k: np.zeros_like(v) for k, v in layer.items()} for layer in layers]
    x_all = features / 16.0  # same scaling as digits_core.forward
    y_all = np.eye(digits_core.NUM_CLASSES)[labels]
    n = len(features)
    for _epoch in range(spec["epochs"]):
        order = rng.permutation(n)
        for start in range(0, n, BATCH_SIZE):
            batch = order[start : start + BATCH_SIZE]
            x, y = x_all[batch], y_all[batch]
            # forward, keeping activations
            acts = [x]
            for i, layer in enumerate(layers):
                z = acts[-1] @ layer["W"] + layer["b"]
                acts.append(np.maximum(z, 0.0) if i < len(layers) - 1 else z)
            logits = acts[-1] - acts[-1].max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            # backward
            grad = (p - y) / len(batch)
            for i in range(len(layers) - 1, -1, -1):
                g_w = acts[i].T @ grad + WEIGHT_DECAY * layers[i]["W"]
                g_b = grad.sum(axis=0)
                if i > 0:
                    grad = (grad @ layers[i]["W"].T) * (acts[i] > 0)
                for key, g in (("W", g_w), ("b", g_b)):
                    velocity[i][key] = MOMENTUM * velocity[i][key] - spec["learning_rate"] * g
                    layers[i][key] = layers[i][key] + velocity[i][key]
    return layers


def build(out_root: str) -> dict:
    """Train every version and write weights + holdout JSON under out_root."""
    from sklearn.datasets import load_digits

    data = load_digits()
    images = data.images  # (1797, 8, 8), values 0..16
    labels = data.target.astype(np.int64)

    pngs = [digits_core.render_png(img) for img in images]
    features = np.stack([digits_core.decode_features(png) for png in pngs])

    train_idx, holdout_idx = stratified_split(labels, HOLDOUT_FRACTION, SPLIT_SEED)
    assert not set(train_idx) & set(holdout_idx)

    report = {"train_size": int(len(train_idx)), "holdout_size": int(len(holdout_idx)), "versions": {}}
    predictions = {}
    for version, spec in VERSIONS.items():
        layers = train(features[train_idx], labels[train_idx], spec)
        version_dir = os.path.join(out_root, "repository", "digits", version)
        os.makedirs(version_dir, exist_ok=True)
        weights_path = os.path.join(version_dir, "weights.npz")
        digits_core.save_weights(weights_path, layers)

        # Offline evaluation exactly as served: PNG bytes -> decode -> resize -> forward,
        # with the float32 weights read back from disk.
        served_layers = digits_core.load_weights(weights_path)
        holdout_features = np.stack([digits_core.decode_features(pngs[i]) for i in holdout_idx])
        pred = digits_core.forward(served_layers, holdout_features).argmax(axis=1)
        correct = int((pred == labels[holdout_idx]).sum())
        train_pred = digits_core.forward(served_layers, features[train_idx]).argmax(axis=1)
        predictions[version] = pred
        report["versions"][version] = {
            "hidden": spec["hidden"],
            "holdout_correct": correct,
            "holdout_accuracy": correct / len(holdout_idx),
            "train_accuracy": float((train_pred == labels[train_idx]).mean()),
            "weights_bytes": os.path.getsize(weights_path),
        }

    holdout = {
        "description": "Held-out scikit-learn digits (never used for training), 32x32 grayscale PNG, "
        "bright digit on dark background. offline_accuracy is computed through the served "
        "preprocessing (PNG decode, BOX resize to 8x8, 0..255 -> 0..16) and forward pass.",
        "offline_accuracy": {v: r["holdout_accuracy"] for v, r in report["versions"].items()},
        "offline_correct": {v: r["holdout_correct"] for v, r in report["versions"].items()},
        "count": int(len(holdout_idx)),
        "items": [
            {
                "label": int(labels[i]),
                "png_base64": base64.b64encode(pngs[i]).decode("ascii"),
                "predicted": {v: int(predictions[v][k]) for v in VERSIONS},
            }
            for k, i in enumerate(holdout_idx)
        ],
    }
    testdata_dir = os.path.join(out_root, "testdata")
    os.makedirs(testdata_dir, exist_ok=True)
    with open(os.path.join(testdata_dir, "digits_holdout.json"), "w", encoding="utf-8") as fh:
        json.dump(holdout, fh, indent=1, sort_keys=True)
        fh.write("\n")
    return report


def _read(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--check",
        action="store_true",
        help="train into a temporary folder and verify the committed files are byte-identical",
    )
    args = parser.parse_args()

    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            report = build(tmp)
            mismatched = []
            for rel in [os.path.join("repository", "digits", v, "weights.npz") for v in VERSIONS] + [
                os.path.join("testdata", "digits_holdout.json")
            ]:
                if _read(os.path.join(tmp, rel)) != _read(os.path.join(MODELS_ROOT, rel)):
                    mismatched.append(rel)
        print(json.dumps(report, indent=2))
        if mismatched:
            print("MISMATCH (retrain changes these files): " + ", ".join(mismatched), file=sys.stderr)
            return 1
        print("check ok: committed weights and holdout JSON are reproduced byte for byte")
        return 0

    report = build(MODELS_ROOT)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
