"""Two rubber sheets and a mask for the open-iris conformance test, numpy only (no biocap), so
``benchmarks/iris_openiris_golden.py`` can make the golden values where open-iris installs."""

from __future__ import annotations

import numpy as np


def golden_sheets() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``uint8 (128, 512)`` sheets a and b (a turned by 6 columns, plus noise) and a ``bool``
    mask (a block and ~3 % of cells masked), from integer hashing: the same bytes on any
    numpy."""
    i, j = np.mgrid[0:128, 0:512].astype(np.uint64)

    def noise(salt: int) -> np.ndarray:
        h = (i * np.uint64(2654435761) + j * np.uint64(40503) + np.uint64(salt)) * np.uint64(
            2246822519
        )
        h ^= h >> np.uint64(13)
        h = (h * np.uint64(3266489917)) & np.uint64(0xFFFFFFFF)
        return ((h >> np.uint64(24)) & np.uint64(255)).astype(np.int64)

    a = sum(np.roll(noise(1), s, axis=1) for s in range(-4, 5)) // 9
    a = np.clip(128 + (a - 128) * 3, 0, 255)
    b = np.clip(np.roll(a, 6, axis=1) + (noise(2) - 128) // 8, 0, 255)
    m = np.ones((128, 512), bool)
    m[100:, :100] = False
    m[noise(3) < 8] = False
    return a.astype(np.uint8), b.astype(np.uint8), m
