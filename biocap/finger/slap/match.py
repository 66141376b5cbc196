"""Comparing two minutiae templates (:mod:`.minutiae`): Hough alignment, then pairing.

Every pair of minutiae (one of each template) whose orientations agree after a candidate
rotation votes for the translation that lays one on the other; the rotation and translation
with the most votes (weighted by how alike the two minutiae's neighbourhoods are) align the
templates, then minutiae within ``PAIR_PX`` and ``PAIR_DEG`` are paired one to one. The score
is the pair count squared over the product of the two templates' minutiae counts (Maltoni et
al., *Handbook of Fingerprint Recognition*, 4.3), 0..1. Orientations are compared modulo pi:
which way a ridge ending points is too often misread to help.
"""

from __future__ import annotations

import numpy as np

#: rotations tried (deg): plain slaps and single-finger captures of an upright finger
MAX_ROTATION_DEG = 40.0
ROTATION_STEP_DEG = 4.0
ANGLE_TOL_DEG = 14.0
BIN_PX = 8.0
PAIR_PX = 12.0
PAIR_DEG = 20.0
#: neighbours in the local descriptor
K_NEIGHBOURS = 4


def _wrap_pi(a: np.ndarray) -> np.ndarray:
    """Difference of two orientations (mod pi) into [-pi/2, pi/2)."""
    return np.mod(a + np.pi / 2, np.pi) - np.pi / 2


def _descriptor(t: np.ndarray) -> np.ndarray:
    """Per minutia: distances to its ``K_NEIGHBOURS`` nearest (sorted), rotation invariant."""
    d = np.linalg.norm(t[:, None, :2] - t[None, :, :2], axis=2)
    d.sort(axis=1)
    k = min(K_NEIGHBOURS, max(len(t) - 1, 1))
    out = d[:, 1 : 1 + k]
    if out.shape[1] < K_NEIGHBOURS:
        out = np.pad(out, ((0, 0), (0, K_NEIGHBOURS - out.shape[1])), constant_values=200.0)
    return out


def match(a: np.ndarray, b: np.ndarray) -> float:
    """Similarity (0..1) of templates ``a`` and ``b``; 0 when either has under 4 minutiae."""
    if len(a) < 4 or len(b) < 4:
        return 0.0
    da, db = _descriptor(a), _descriptor(b)
    # neighbourhood likeness of every pair (i in a, j in b): 1 when alike, to 0
    diff = np.abs(da[:, None, :] - db[None, :, :]).mean(axis=2)
    like = np.exp(-((diff / 6.0) ** 2))
    dth = _wrap_pi(b[None, :, 2] - a[:, None, 2])  # (na, nb)
    rots = np.deg2rad(np.arange(-MAX_ROTATION_DEG, MAX_ROTATION_DEG + 0.1, ROTATION_STEP_DEG))
    best = (-1.0, 0.0, 0.0, 0.0)
    tol = np.deg2rad(ANGLE_TOL_DEG)
    for r in rots:
        ok = np.abs(_wrap_pi(dth - r)) < tol
        i, j = np.nonzero(ok)
        if i.size == 0:
            continue
        c, s = np.cos(r), np.sin(r)
        ax = a[i, 0] * c - a[i, 1] * s
        ay = a[i, 0] * s + a[i, 1] * c
        tx, ty = b[j, 0] - ax, b[j, 1] - ay
        bx = np.floor(tx / BIN_PX).astype(np.int64)
        by = np.floor(ty / BIN_PX).astype(np.int64)
        bx -= bx.min()
        by -= by.min()
        w = like[i, j]
        ncol = int(by.max()) + 2
        acc = np.bincount(bx * ncol + by, w, minlength=(int(bx.max()) + 2) * ncol)
        acc = acc.reshape(-1, ncol)
        # a translation near a bin edge splits its votes: sum 2 x 2 neighbourhoods
        acc2 = acc[:-1, :-1] + acc[1:, :-1] + acc[:-1, 1:] + acc[1:, 1:]
        k = int(np.argmax(acc2))
        if acc2.flat[k] > best[0]:
            kx, ky = divmod(k, acc2.shape[1])
            sel = (bx >= kx) & (bx <= kx + 1) & (by >= ky) & (by <= ky + 1)
            best = (float(acc2.flat[k]), float(r), float(np.median(tx[sel])),
                    float(np.median(ty[sel])))  # fmt: skip
    if best[0] <= 0:
        return 0.0
    _, r, tx, ty = best
    return _pair_score(a, b, r, tx, ty)


def _pair_score(a: np.ndarray, b: np.ndarray, r: float, tx: float, ty: float) -> float:
    c, s = np.cos(r), np.sin(r)
    ax = a[:, 0] * c - a[:, 1] * s + tx
    ay = a[:, 0] * s + a[:, 1] * c + ty
    d = np.hypot(ax[:, None] - b[None, :, 0], ay[:, None] - b[None, :, 1])
    dth = np.abs(_wrap_pi(b[None, :, 2] - (a[:, None, 2] + r)))
    cost = np.where((d < PAIR_PX) & (dth < np.deg2rad(PAIR_DEG)), d, np.inf)
    pairs = 0
    # greedy one-to-one pairing, nearest first (few candidates: a loop over pairs is cheap)
    order = np.argsort(cost, axis=None)
    used_a, used_b = set(), set()
    for k in order[: int(np.isfinite(cost).sum())]:
        i, j = divmod(int(k), cost.shape[1])
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        pairs += 1
    if pairs == 0:
        return 0.0
    # pairs squared over the product of the templates' sizes: prints with many minutiae
    # need many pairs (normalising by the overlap only let chance alignments of two small
    # overlaps score high)
    return float(pairs * pairs / (len(a) * len(b)))
