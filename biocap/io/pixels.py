"""Pillow image -> the one pixel layout every core expects: uint8 (h, w) grey or (h, w, 3) RGB."""

from __future__ import annotations

import numpy as np
from PIL import Image

_HIGH_DEPTH = {"I;16": "16-bit", "I;16L": "16-bit", "I;16B": "16-bit", "I;16N": "16-bit"}
_HIGH_DEPTH |= {"I": "32-bit", "F": "32-bit float"}


def to_uint8(im: Image.Image) -> tuple[np.ndarray, dict[str, object]]:
    """Normalise a loaded image; returns the pixels and the meta entries the conversion implies.

    Alpha is composited on white (a transparent background reads as "no skin", like a platen),
    palettes are expanded, and colour whose channels are all equal becomes grey so that a
    fingerprint saved as RGB costs the cores no extra work.
    """
    if im.mode in _HIGH_DEPTH:
        return _stretch(np.asarray(im)), {"converted_from": _HIGH_DEPTH[im.mode]}
    bands = im.getbands()
    if "A" in bands or "a" in bands or "transparency" in im.info:
        pixels = _on_white(np.asarray(im.convert("RGBA")))
    elif im.mode == "L":
        pixels = np.array(im)
    elif im.mode == "1":
        pixels = np.array(im.convert("L"))
    else:
        pixels = np.array(im if im.mode == "RGB" else im.convert("RGB"))
    if pixels.ndim == 3 and _channels_equal(pixels):
        pixels = pixels[..., 0]
    return np.ascontiguousarray(pixels, dtype=np.uint8), {}


def _stretch(values: np.ndarray) -> np.ndarray:
    """Map the image's actual range onto 0-255: sensors often use 10-12 of 16 bits."""
    values = np.nan_to_num(values.astype(np.float32), nan=0.0, posinf=0.0, neginf=0.0)
    lo, hi = float(values.min()), float(values.max())
    if hi <= lo:
        return np.zeros(values.shape, np.uint8)
    return ((values - lo) * (255.0 / (hi - lo)) + 0.5).astype(np.uint8)


def _on_white(rgba: np.ndarray) -> np.ndarray:
    alpha = rgba[..., 3:].astype(np.uint16)
    rgb = rgba[..., :3].astype(np.uint16)
    return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def _channels_equal(rgb: np.ndarray) -> bool:
    return bool(
        np.array_equal(rgb[..., 0], rgb[..., 1]) and np.array_equal(rgb[..., 1], rgb[..., 2])
    )
