"""Shared preprocessing and forward pass for the `digits` classifier.

This one file is used by:
  * the Triton Python-backend model (`model.py`, shared by every version), and
  * the offline tools (`triton-models/tools/train_digits.py`),
so the features a model is trained and evaluated on are produced by exactly the
same code that serves it. It depends on numpy and Pillow only (no Triton imports).

Pipeline for one image (encoded PNG or JPEG bytes):
  decode with Pillow -> grayscale ("L") -> resize to 8x8 with BOX resampling
  -> scale 0..255 to 0..16 (the value range of scikit-learn's digits data set)
  -> 64 float features.
The network scales the features by 1/16 before its first layer.

Convention: the digit is bright on a dark background (sklearn's values 0..16
mean "amount of ink", rendered as 0..255 grey levels).
"""

from __future__ import annotations

import io
import zipfile
from typing import Dict, List, Sequence

import numpy as np
from PIL import Image

IMAGE_SIZE = 8
NUM_FEATURES = IMAGE_SIZE * IMAGE_SIZE
NUM_CLASSES = 10
# Resampling used to go from any input size to 8x8. BOX averages the source
# pixels that cover each target pixel, so a 32x32 nearest-neighbour upsample of
# an 8x8 image comes back exactly.
RESAMPLE = Image.Resampling.BOX
ACCEPTED_FORMATS = ("PNG", "JPEG")
# Refuse absurdly large images instead of decoding them (decompression bombs).
MAX_PIXELS = 4096 * 4096
# Rendering of held-out samples: 8x8 upsampled to 32x32, nearest neighbour.
RENDER_SIZE = 32


class ImageDecodeError(ValueError):
    """The bytes are not a PNG or JPEG image that can be decoded."""


def decode_features(data: bytes) -> np.ndarray:
    """Turn encoded PNG/JPEG bytes into 64 float64 features in 0..16.

    Raises ImageDecodeError with a readable message for anything that is not
    a decodable PNG or JPEG image.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ImageDecodeError(f"expected encoded image bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) == 0:
        raise ImageDecodeError("image is empty (0 bytes)")
    try:
        with Image.open(io.BytesIO(data), formats=list(ACCEPTED_FORMATS)) as img:
            width, height = img.size
            if width <= 0 or height <= 0:
                raise ImageDecodeError(f"image has an invalid size {width}x{height}")
            if width * height > MAX_PIXELS:
                raise ImageDecodeError(
                    f"image is too large ({width}x{height}, at most {MAX_PIXELS} pixels)"
                )
            img.load()
            gray = img.convert("L")
    except ImageDecodeError:
        raise
    except Image.UnidentifiedImageError:
        raise ImageDecodeError(f"cannot decode image as PNG or JPEG ({len(data)} bytes): not a PNG or JPEG file") from None
    except Exception as exc:  # Pillow raises many kinds (UnidentifiedImageError, OSError, SyntaxError...)
        raise ImageDecodeError(
            f"cannot decode image as PNG or JPEG ({len(data)} bytes): {type(exc).__name__}: {exc}"
        ) from None
    small = gray.resize((IMAGE_SIZE, IMAGE_SIZE), resample=RESAMPLE)
    pixels = np.asarray(small, dtype=np.float64).reshape(NUM_FEATURES)
    return pixels * (16.0 / 255.0)


def render_png(image8x8: np.ndarray) -> bytes:
    """Render one scikit-learn digit (8x8, values 0..16) as a 32x32 grayscale PNG."""
    values = np.asarray(image8x8, dtype=np.float64).reshape(IMAGE_SIZE, IMAGE_SIZE)
    grey = np.clip(np.rint(values * (255.0 / 16.0)), 0, 255).astype(np.uint8)
    factor = RENDER_SIZE // IMAGE_SIZE
    big = np.kron(grey, np.ones((factor, factor), dtype=np.uint8))  # nearest-neighbour upsample
    out = io.BytesIO()
    # Fixed encoder settings so the bytes are reproducible.
    Image.fromarray(big, mode="L").save(out, format="PNG", optimize=False, compress_level=9)
    return out.getvalue()


# --------------------------------------------------------------------------- network


def forward(layers: Sequence[Dict[str, np.ndarray]], features: np.ndarray) -> np.ndarray:
    """Class probabilities (float32, shape [n, 10]) for features of shape [n, 64].

    `layers` is a list of {"W": [in, out], "b": [out]}; ReLU between layers,
    softmax at the end. Computed in float64 so the result does not depend on
    how requests were batched together.
    """
    x = np.asarray(features, dtype=np.float64).reshape(-1, NUM_FEATURES) / 16.0
    for i, layer in enumerate(layers):
        x = x @ layer["W"].astype(np.float64) + layer["b"].astype(np.float64)
        if i < len(layers) - 1:
            x = np.maximum(x, 0.0)
    x = x - x.max(axis=1, keepdims=True)
    e = np.exp(x)
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


def load_weights(path: str) -> List[Dict[str, np.ndarray]]:
    """Load layers saved by save_weights (arrays W0, b0, W1, b1, ...)."""
    with np.load(path) as npz:
        count = sum(1 for name in npz.files if name.startswith("W"))
        layers = [{"W": npz[f"W{i}"], "b": npz[f"b{i}"]} for i in range(count)]
    if not layers or layers[0]["W"].shape[0] != NUM_FEATURES or layers[-1]["W"].shape[1] != NUM_CLASSES:
        raise ValueError(f"{path}: weights do not map {NUM_FEATURES} features to {NUM_CLASSES} classes")
    return layers


def save_weights(path: str, layers: Sequence[Dict[str, np.ndarray]]) -> None:
    """Write layers as a reproducible .npz (fixed zip timestamps, float32 arrays)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i, layer in enumerate(layers):
            for key in ("W", "b"):
                info = zipfile.ZipInfo(f"{key}{i}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                buf = io.BytesIO()
                np.lib.format.write_array(buf, np.ascontiguousarray(layer[key], dtype=np.float32))
                zf.writestr(info, buf.getvalue())
