"""Error-versus-discard characteristic (EDC): the utility of a quality score.

A quality score is useful when discarding the comparisons it ranks lowest lowers the false
non-match rate (FNMR) of a real matcher on what is left (ISO/IEC 29794-1, and the protocol in
``../shared/data/README.md``). Everything here is modality-free: it takes, per genuine comparison,
a pair quality (higher is better), whether the matcher failed it, and a cluster id (the finger or
eye it belongs to) for the bootstrap. Loaders live elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

MAX_FRACTION = 0.20
STEP = 0.001


def _check(pair_quality: np.ndarray, failed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    q = np.asarray(pair_quality, dtype=float)
    fail = np.asarray(failed, dtype=bool)
    if q.ndim != 1 or q.shape != fail.shape or q.size == 0:
        raise ValueError(
            f"need two non-empty 1-D arrays of one length, got {q.shape}, {fail.shape}"
        )
    if np.isnan(q).any():
        # NaN would sort as the best quality; a failure to assess must be mapped by the caller.
        raise ValueError("pair_quality contains NaN: map failures to assess to -inf first")
    return q, fail


def edc_curve(pair_quality: np.ndarray, failed: np.ndarray, fractions: np.ndarray) -> np.ndarray:
    """FNMR over the comparisons kept after discarding the lowest-quality fraction of them.

    pair_quality, failed: shape (n,), one entry per genuine comparison (higher quality = better).
    fractions: discard fractions in [0, 1). The discarded count f*n is continuous: at a tie the
    cut drops the same share of every comparison of the tied block, which is the exact expected
    value of dropping a random subset of that size (no sampling, no dependence on input order).
    Returns FNMR(f), same shape as fractions.
    """
    q, fail = _check(pair_quality, failed)
    f = np.asarray(fractions, dtype=float)
    if ((f < 0) | (f >= 1)).any():
        raise ValueError("fractions must lie in [0, 1)")
    n = q.size
    _, block = np.unique(q, return_inverse=True)
    block = block.ravel()
    size = np.bincount(block)
    fails = np.bincount(block, weights=fail)
    cum_n = np.concatenate([[0.0], np.cumsum(size)])
    cum_f = np.concatenate([[0.0], np.cumsum(fails)])
    d = f * n
    # Block holding the cut; the formula is continuous at block edges, so rounding of f*n is moot.
    j = np.searchsorted(cum_n, d, side="right") - 1
    dropped = cum_f[j] + (d - cum_n[j]) / size[j] * fails[j]
    return (cum_f[-1] - dropped) / (n - d)


def fraction_grid(max_fraction: float = MAX_FRACTION, step: float = STEP) -> np.ndarray:
    """Evenly spaced discard fractions 0, step, ..., max_fraction (both ends included)."""
    return np.linspace(0.0, max_fraction, round(max_fraction / step) + 1)


def _trapezoid(y: np.ndarray, x: np.ndarray) -> float:
    # np.trapezoid is numpy >= 2 only; the project still allows 1.26.
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def edc_auc(
    pair_quality: np.ndarray,
    failed: np.ndarray,
    max_fraction: float = MAX_FRACTION,
    step: float = STEP,
) -> float:
    """Area under FNMR(f) for f in [0, max_fraction] (trapezoid rule); lower is better."""
    grid = fraction_grid(max_fraction, step)
    return _trapezoid(edc_curve(pair_quality, failed, grid), grid)


def random_auc(failed: np.ndarray, max_fraction: float = MAX_FRACTION, step: float = STEP) -> float:
    """AUC of a score that carries no information: random discard keeps FNMR at its mean."""
    fail = np.asarray(failed, dtype=bool)
    return edc_auc(np.zeros(fail.shape), fail, max_fraction, step)


def oracle_auc(failed: np.ndarray, max_fraction: float = MAX_FRACTION, step: float = STEP) -> float:
    """AUC of a score that knows the matcher's outcome: it discards the failures first."""
    fail = np.asarray(failed, dtype=bool)
    return edc_auc((~fail).astype(float), fail, max_fraction, step)


def gain(auc: float, random: float, oracle: float) -> float:
    """Share of the random-to-oracle gap a score closes: 0 = random, 1 = oracle, NaN if no gap."""
    gap = random - oracle
    return float((random - auc) / gap) if gap > 0 else float("nan")


def _cluster_resamples(clusters: np.ndarray, n_boot: int, seed: int) -> Iterator[np.ndarray]:
    """Index arrays of comparisons for resamples of whole clusters, drawn with replacement.

    Comparisons of one finger are correlated (they share images), so the finger, not the
    comparison, is the independent unit.
    """
    ids, inverse = np.unique(np.asarray(clusters), return_inverse=True)
    inverse = inverse.ravel()
    order = np.argsort(inverse, kind="stable")
    members = np.split(order, np.cumsum(np.bincount(inverse, minlength=ids.size))[:-1])
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        yield np.concatenate([members[c] for c in rng.integers(0, ids.size, ids.size)])


def _interval(values: list[float], level: float) -> tuple[float, float]:
    low, high = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(low), float(high)


def bootstrap_auc(
    pair_quality: np.ndarray,
    failed: np.ndarray,
    clusters: np.ndarray,
    max_fraction: float = MAX_FRACTION,
    step: float = STEP,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval (low, high) of the EDC AUC under a cluster (finger/eye) bootstrap."""
    q, fail = _check(pair_quality, failed)
    aucs = [
        edc_auc(q[i], fail[i], max_fraction, step)
        for i in _cluster_resamples(clusters, n_boot, seed)
    ]
    return _interval(aucs, level)


def bootstrap_auc_difference(
    quality_a: np.ndarray,
    quality_b: np.ndarray,
    failed: np.ndarray,
    clusters: np.ndarray,
    max_fraction: float = MAX_FRACTION,
    step: float = STEP,
    n_boot: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> tuple[float, float]:
    """Percentile interval of AUC(a) - AUC(b) on the same cluster resamples.

    Pairing cancels the shared sampling noise of the comparisons, so an interval entirely below 0
    says score a beats score b beyond noise; two overlapping single-score intervals cannot say that.
    """
    qa, fail = _check(quality_a, failed)
    qb, _ = _check(quality_b, failed)
    diffs = [
        edc_auc(qa[i], fail[i], max_fraction, step) - edc_auc(qb[i], fail[i], max_fraction, step)
        for i in _cluster_resamples(clusters, n_boot, seed)
    ]
    return _interval(diffs, level)


@dataclass(frozen=True)
class EdcSummary:
    """One row of an EDC report. AUCs over [0, max_fraction]; intervals are cluster-bootstrap."""

    n: int  # genuine comparisons
    n_failed: int  # false non-matches among them
    auc: float
    random: float
    oracle: float
    gain: float
    ci: tuple[float, float]  # interval of auc
    baseline_auc: float | None = None
    diff_ci: tuple[float, float] | None = None  # interval of auc - baseline_auc (< 0 = better)

    @property
    def fnmr(self) -> float:
        """FNMR with nothing discarded."""
        return self.n_failed / self.n


def summarize(
    pair_quality: np.ndarray,
    failed: np.ndarray,
    clusters: np.ndarray,
    baseline_quality: np.ndarray | None = None,
    max_fraction: float = MAX_FRACTION,
    step: float = STEP,
    n_boot: int = 1000,
    seed: int = 0,
) -> EdcSummary:
    """AUC, random and oracle bounds, gain and bootstrap intervals of one quality score."""
    q, fail = _check(pair_quality, failed)
    auc = edc_auc(q, fail, max_fraction, step)
    rnd = random_auc(fail, max_fraction, step)
    orc = oracle_auc(fail, max_fraction, step)
    kw = {"max_fraction": max_fraction, "step": step, "n_boot": n_boot, "seed": seed}
    base_auc = diff_ci = None
    if baseline_quality is not None:
        base_auc = edc_auc(baseline_quality, fail, max_fraction, step)
        diff_ci = bootstrap_auc_difference(q, baseline_quality, fail, clusters, **kw)
    return EdcSummary(
        n=int(q.size),
        n_failed=int(fail.sum()),
        auc=auc,
        random=rnd,
        oracle=orc,
        gain=gain(auc, rnd, orc),
        ci=bootstrap_auc(q, fail, clusters, **kw),
        baseline_auc=base_auc,
        diff_ci=diff_ci,
    )
