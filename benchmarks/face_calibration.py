"""Thresholds for the glasses and background checks, chosen so they generalise across people.

A check flags an image when its measure is above a threshold. The rule that picks the threshold
from labelled values: the highest true-positive rate whose false-positive rate on the negatives
stays within ``MAX_FPR`` (half the 10 % the targets allow, as a margin for unseen images), and
among thresholds that tie, the middle one. ``cross_fit`` applies the rule leaving one subject out
at a time: each image is judged by a threshold chosen without any image of its subject (its
synthetic variants included), which is the number reported; ``choose`` on all images gives the
shipped value.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

MAX_FPR = 0.05


def choose(values: np.ndarray, positive: np.ndarray, max_fpr: float = MAX_FPR) -> float:
    """Threshold ``t`` (flag when ``value > t``) by the rule above; NaN values never flag."""
    v = np.where(np.isfinite(values), values, -np.inf)
    pos, neg = v[positive], v[~positive]
    levels = np.unique(v[np.isfinite(v)])
    if levels.size == 0:
        return float("inf")
    cuts = np.concatenate([[levels[0] - 1.0], (levels[:-1] + levels[1:]) / 2, [levels[-1] + 1.0]])
    tpr = (pos[None, :] > cuts[:, None]).mean(axis=1) if pos.size else np.zeros(cuts.size)
    fpr = (neg[None, :] > cuts[:, None]).mean(axis=1) if neg.size else np.zeros(cuts.size)
    ok = fpr <= max_fpr
    best = tpr[ok].max()
    tied = cuts[ok & (tpr == best)]
    return float(tied[len(tied) // 2])


def cross_fit(
    values: np.ndarray, positive: np.ndarray, groups: Sequence[str], max_fpr: float = MAX_FPR
) -> np.ndarray:
    """Out-of-subject decisions: ``value > threshold chosen without the image's subject``."""
    groups = np.asarray(groups)
    flagged = np.zeros(values.size, bool)
    for g in np.unique(groups):
        held = groups == g
        t = choose(values[~held], positive[~held], max_fpr)
        flagged[held] = np.nan_to_num(values[held], nan=-np.inf) > t
    return flagged
