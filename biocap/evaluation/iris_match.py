"""Masked fractional Hamming distance between iris codes, best over rotation shifts.

HD = |(code_a XOR code_b) AND mask_a AND mask_b| / |mask_a AND mask_b| (Daugman), minimised
over +-``ROTATION_SHIFT`` columns of code a (head tilt; open-iris' default 15 of 256 columns,
+-21 deg). A shift whose codes share fewer than ``MIN_COMMON_BITS`` usable bits is not
scored (too few bits make an impostor look close); 1.0 when none is, or when a template is
missing (the image could not be encoded: a failure to acquire counts as a non-match).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .iris_code import IrisCode, popcount

ROTATION_SHIFT = 15
MIN_COMMON_BITS = 2048
NO_MATCH = 1.0
_SHIFTS = np.arange(-ROTATION_SHIFT, ROTATION_SHIFT + 1)


def _stack(codes: Sequence[IrisCode | None]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    ok = np.array([c is not None for c in codes])
    cols = next((c.code.size for c in codes if c is not None), 1)
    code = np.zeros((len(codes), cols), np.uint64)
    mask = np.zeros((len(codes), cols), np.uint64)
    for n, c in enumerate(codes):
        if c is not None:
            code[n], mask[n] = c.code, c.mask
    return code, mask, ok


def _distances(ca: np.ndarray, ma: np.ndarray, cb: np.ndarray, mb: np.ndarray) -> np.ndarray:
    """One probe (``ca, ma``: ``(cols,)``) against gallery rows ``(n, cols)``: ``(n,)``."""
    rolled = np.stack([np.roll(ca, s) for s in _SHIFTS])[:, None, :]  # (shifts, 1, cols)
    rolled_m = np.stack([np.roll(ma, s) for s in _SHIFTS])[:, None, :]
    common = rolled_m & mb[None]
    n_common = popcount(common).sum(-1, dtype=np.int64)
    n_diff = popcount((rolled ^ cb[None]) & common).sum(-1, dtype=np.int64)
    hd = np.where(n_common >= MIN_COMMON_BITS, n_diff / np.maximum(n_common, 1), NO_MATCH)
    return hd.min(0)


def hamming_distance(a: IrisCode | None, b: IrisCode | None) -> float:
    """Distance of one comparison (0 = same code, ~0.45-0.5 between different eyes)."""
    if a is None or b is None:
        return NO_MATCH
    return float(_distances(a.code, a.mask, b.code[None], b.mask[None])[0])


def all_pairs(codes: Sequence[IrisCode | None]) -> np.ndarray:
    """Distances of every pair ``i < j``, ``(n, n)`` upper triangle (the rest NaN).

    One probe against all later templates at once: ``shifts x n x columns`` word operations.
    """
    code, mask, ok = _stack(codes)
    n = len(codes)
    out = np.full((n, n), np.nan)
    for i in range(n - 1):
        d = _distances(code[i], mask[i], code[i + 1 :], mask[i + 1 :])
        d[~ok[i + 1 :]] = NO_MATCH
        out[i, i + 1 :] = d if ok[i] else NO_MATCH
    return out
