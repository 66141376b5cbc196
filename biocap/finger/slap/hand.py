"""Finger positions from hand geometry, and which hand a four-finger slap shows.

In a hand's upright frame the fingertips of a flat slap sit at typical heights: the middle
fingertip highest, the ring ~2-10 mm and the index ~4-14 mm lower, the little fingertip
~18-32 mm lower (scaled by the hand's size), and neighbouring fingers about a finger width plus
a small gap apart. With fingers missing, every ordered choice of slots is scored against that
model (tip heights after the best common offset, and the spacing between neighbours), so a
missing inner finger shows as a double gap and a missing little finger as a ring fingertip
that is not low enough. The same score under the mirror-image hand tells a right hand from a
left one (the little finger's side).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from .positions import ORDER, SlapKind
from .segment import FingerSegment

#: right hand, left to right (index, middle, ring, little): fingertip drop below the middle
#: fingertip (mm at a 15.6 mm typical finger width) and its spread
DROP_MM = np.array([9.0, 0.0, 6.0, 25.0])
DROP_SD_MM = np.array([5.0, 3.5, 4.0, 6.5])
#: neighbouring fingertips: this many finger widths apart, give or take 30 %
PITCH_WIDTHS = 1.2
#: the mirror hand must fit this much better (chi-square units) before a slap is called the
#: wrong hand
WRONG_HAND_MARGIN = 8.0
#: a fingertip this far (mm) below where its slot puts it is a stump (no distal phalanx)
STUMP_MM = 17.0


@dataclass(frozen=True, slots=True)
class HandFit:
    """Positions given to the fingers (left to right), the positions not found, and the
    evidence for the hand (costs under the expected and the mirror-image hand)."""

    positions: tuple[int, ...]
    missing: tuple[int, ...]
    cost: float
    mirror_cost: float | None
    stumps: tuple[int, ...]

    @property
    def wrong_hand(self) -> bool:
        return self.mirror_cost is not None and self.mirror_cost + WRONG_HAND_MARGIN < self.cost


def _fit(tips: np.ndarray, widths: np.ndarray, drops: np.ndarray, sds: np.ndarray):
    """Best ordered slots for the tips: (cost, slots, residual drops in mm)."""
    k = len(tips)
    scale = float(np.clip(np.median(widths) / 15.6, 0.7, 1.4))
    pitch = PITCH_WIDTHS * float(np.median(widths))
    best = (np.inf, (), np.zeros(k))
    for slots in combinations(range(len(drops)), k):
        idx = np.array(slots)
        model = drops[idx] * scale
        sd = sds[idx] * scale
        w = 1.0 / sd**2
        offset = float(((tips[:, 1] - model) * w).sum() / w.sum())
        res = tips[:, 1] - model - offset
        cost = float(((res / sd) ** 2).sum())
        if k > 1:
            dx = np.diff(tips[:, 0])
            gaps = np.diff(idx)
            cost += float((((dx - gaps * pitch) / (0.3 * pitch)) ** 2).sum())
        if cost < best[0]:
            best = (cost, slots, res)
    return best


def fit_hand(fingers: list[FingerSegment], kind: SlapKind, centre_x_mm: float) -> HandFit:
    """Positions for ``fingers`` (left to right in the hand's upright frame) of a ``kind`` slap.

    ``centre_x_mm`` is the image centre in the same frame: a lone thumb is the left one when
    it lies left of it.
    """
    order = ORDER[kind]
    if not fingers:
        return HandFit((), order, 0.0, None, ())
    tips = np.array([f.tip for f in fingers])
    widths = np.array([f.width_mm for f in fingers])
    if kind is SlapKind.THUMBS:
        if len(fingers) >= 2:
            return HandFit(order[: len(fingers)], (), 0.0, None, ())
        pos = order[0] if tips[0, 0] < centre_x_mm else order[1]
        return HandFit((pos,), tuple(p for p in order if p != pos), 0.0, None, ())
    drops, sds = DROP_MM, DROP_SD_MM
    if kind is SlapKind.LEFT:  # little finger on the left
        drops, sds = drops[::-1], sds[::-1]
    cost, slots, res = _fit(tips, widths, drops, sds)
    mirror = None
    if len(fingers) >= 3:
        mirror = _fit(tips, widths, drops[::-1], sds[::-1])[0]
    positions = tuple(order[s] for s in slots)
    stumps = tuple(p for p, r in zip(positions, res, strict=True) if r > STUMP_MM)
    missing = tuple(p for p in order if p not in positions)
    return HandFit(positions, missing, cost, mirror, stumps)
