"""Summary statistics of timings (percentiles, not just means: stations feel the tail)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def summary(values: Sequence[float] | np.ndarray) -> dict[str, float]:
    """n, p50, p95, p99, mean, min, max of ``values`` (NaN for all but n when empty)."""
    a = np.asarray(values, dtype=float)
    if a.size == 0:
        nan = float("nan")
        return {"n": 0, "p50": nan, "p95": nan, "p99": nan, "mean": nan, "min": nan, "max": nan}
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    return {
        "n": int(a.size),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "mean": float(a.mean()),
        "min": float(a.min()),
        "max": float(a.max()),
    }
