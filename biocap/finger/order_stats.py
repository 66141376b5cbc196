"""Medians and percentiles of block values from one sort, equal bit for bit to NumPy's.

``np.percentile`` and ``np.median`` cost 20-80 us per call on a hundred block values (input
checks, a partition per call); measures and features take a dozen of them per image. Sorting
the values once and interpolating as NumPy does (its default ``linear`` method) gives the same
floats: the model reads these features, so they must not move (``tests/finger/test_order_stats``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np


def percentiles(values: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """``np.percentile(values, q, axis=-1)``: shape ``(len(q), *values.shape[:-1])``, float64.

    Empty rows are not supported (as in NumPy, which raises on them).
    """
    s = np.sort(values, axis=-1)
    if s.dtype.kind == "f" and np.isnan(s[..., -1]).any():  # NumPy's NaN rules, not ours
        return np.asarray(np.percentile(values, q, axis=-1))
    n = s.shape[-1]
    out = []
    for pct in q:  # a few quantiles: index arithmetic on Python numbers, as NumPy's in float64
        virtual = (n - 1) * (pct / 100)
        below = math.floor(virtual)
        lo, hi = (n - 1, n - 1) if virtual >= n - 1 else (below, below + 1)
        a, b = s[..., lo], s[..., hi]
        diff = b - a  # in the values' precision, then interpolated in float64 (NumPy's _lerp)
        gamma = np.float64(virtual - below)
        out.append(b - diff * (1 - gamma) if gamma >= 0.5 else a + diff * gamma)
    return np.asarray(out, np.float64)


def median(values: np.ndarray) -> float:
    """``float(np.median(values))`` of a 1-D array (NaN when it holds a NaN, as NumPy)."""
    n = values.size
    if n == 0:
        return float("nan")
    s = np.sort(values)
    if s.dtype.kind == "f" and np.isnan(s[-1]):
        return float("nan")
    if n % 2:
        return float(s[n // 2])
    # NumPy averages the two middle values in the array's own precision.
    return float(np.mean(s[n // 2 - 1 : n // 2 + 1]))
