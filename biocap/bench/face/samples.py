"""Bundled face samples for ``biocap bench``: public-domain photos, degraded in code.

scikit-image's ``astronaut`` (NASA, public domain) at the two station sizes (600x800 and
1200x1600 portrait crops) and degraded copies (blur, dark, rotated, occluded eyes), PNG-encoded
in memory so that decoding is timed. Needs scikit-image (the ``test`` extra); without it there
are no samples and the bench asks for ``--data``.
"""

from __future__ import annotations

from functools import lru_cache

import cv2
import numpy as np

from biocap.bench.samples import Sample, png_bytes


def portrait(width: int = 600, height: int = 800) -> np.ndarray:
    """The astronaut's head and shoulders as a ``height x width`` RGB portrait."""
    from skimage import data

    img = data.astronaut()[0:340, 60:315]  # head and shoulders, ~3:4
    return cv2.resize(img, (width, height), interpolation=cv2.INTER_CUBIC)


def degraded(img: np.ndarray) -> list[tuple[str, np.ndarray]]:
    h, w = img.shape[:2]
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), 15, 1.0)
    bar = img.copy()
    bar[int(0.30 * h) : int(0.42 * h), int(0.2 * w) : int(0.85 * w)] = 0
    return [
        ("blur", cv2.GaussianBlur(img, (0, 0), w / 120)),
        ("dark", (img.astype(np.float32) * 0.25).astype(np.uint8)),
        ("roll15", cv2.warpAffine(img, rot, (w, h), borderMode=cv2.BORDER_REPLICATE)),
        ("eyes_bar", bar),
    ]


@lru_cache(maxsize=1)
def generated() -> tuple[Sample, ...]:
    try:
        base = portrait()
    except ImportError:
        return ()
    big = portrait(1200, 1600)
    out = [
        Sample("astronaut_600x800", png_bytes(base)),
        Sample("astronaut_1200x1600", png_bytes(big)),
    ]
    out += [Sample(f"astronaut_600x800_{n}", png_bytes(p)) for n, p in degraded(base)]
    return tuple(out)
