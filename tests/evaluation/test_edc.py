"""EDC math on tiny cases whose answers are worked out by hand."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from biocap.evaluation.edc import (
    bootstrap_auc,
    bootstrap_auc_difference,
    edc_auc,
    edc_curve,
    gain,
    oracle_auc,
    random_auc,
    summarize,
)


def test_fraction_zero_is_overall_fnmr():
    assert edc_curve([3, 1, 4, 2], [1, 0, 0, 0], [0.0])[0] == pytest.approx(0.25)


def test_perfect_quality_gives_oracle_curve():
    # 1 failure in 4, ranked lowest: half of it dropped at f = 1/8, all of it at f = 1/4.
    fnmr = edc_curve([0, 1, 2, 3], [1, 0, 0, 0], [0.125, 0.25, 0.5])
    np.testing.assert_allclose(fnmr, [0.5 / 3.5, 0, 0])


def test_constant_quality_gives_random_curve():
    fnmr = edc_curve(np.ones(8), [1, 1, 0, 0, 0, 0, 0, 0], [0, 0.1, 0.3, 0.7, 0.9])
    np.testing.assert_allclose(fnmr, 0.25)


def test_tie_is_expected_value():
    # Tied block {q=1} holds 3 comparisons, 1 failed. Dropping 1 of them at random removes
    # 1/3 failure on average: FNMR = (2 - 1/3) / 3 = 5/9.
    q, failed = [1, 1, 1, 2], [1, 0, 0, 1]
    assert edc_curve(q, failed, [0.25])[0] == pytest.approx(5 / 9)
    # Same answer whatever the input order (no hidden tie-break by position).
    assert edc_curve(q[::-1], failed[::-1], [0.25])[0] == pytest.approx(5 / 9)


def test_tie_matches_enumeration_of_tie_breaks():
    q = np.array([1, 1, 1, 1, 2, 2, 3, 3, 3, 4])
    failed = np.array([1, 0, 1, 0, 0, 1, 1, 0, 0, 0], dtype=bool)
    n = q.size
    for k in range(n):
        # Average over every order of the tied block that straddles the cut.
        cut_q = np.sort(q)[k - 1] if k else None
        below = q < cut_q if k else np.zeros(n, bool)
        tied = np.flatnonzero(q == cut_q) if k else np.array([], int)
        take = k - below.sum()
        outs = []
        for drop in itertools.combinations(tied, take):
            keep = ~below
            keep[list(drop)] = False
            outs.append(failed[keep].mean())
        assert edc_curve(q, failed, [k / n])[0] == pytest.approx(np.mean(outs))


def test_auc_random_and_oracle_by_hand():
    failed = np.zeros(10, bool)
    failed[0] = True
    assert random_auc(failed) == pytest.approx(0.1 * 0.2)
    # Oracle: FNMR(f) = (1 - 10f) / (10 - 10f) up to f = 0.1, then 0;
    # its integral is 0.1 - 0.9 ln(1 / 0.9).
    assert oracle_auc(failed) == pytest.approx(0.1 - 0.9 * math.log(1 / 0.9), abs=1e-6)
    assert edc_auc((~failed).astype(float), failed) == oracle_auc(failed)
    # Worst ranking: the failure is kept to the end, FNMR(f) = 1 / (10 - 10f).
    assert edc_auc(-np.arange(10.0), failed) == pytest.approx(0.1 * math.log(1.25), abs=1e-6)


def test_gain():
    assert gain(0.03, 0.03, 0.01) == 0
    assert gain(0.01, 0.03, 0.01) == 1
    assert gain(0.02, 0.03, 0.01) == pytest.approx(0.5)
    assert math.isnan(gain(0.0, 0.0, 0.0))


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        edc_curve([1, np.nan], [0, 1], [0.0])
    with pytest.raises(ValueError):
        edc_curve([1, 2], [0, 1], [1.0])
    with pytest.raises(ValueError):
        edc_curve([1, 2, 3], [0, 1], [0.0])


def _toy(seed: int = 1):
    rng = np.random.default_rng(seed)
    clusters = np.repeat(np.arange(12), 28)
    q = rng.normal(size=clusters.size)
    failed = rng.random(clusters.size) < 1 / (1 + np.exp(3 * q + 1))
    return q, failed, clusters


def test_bootstrap_contains_estimate_and_is_deterministic():
    q, failed, clusters = _toy()
    low, high = bootstrap_auc(q, failed, clusters, n_boot=300, seed=7)
    assert low < edc_auc(q, failed) < high
    assert bootstrap_auc(q, failed, clusters, n_boot=300, seed=7) == (low, high)
    assert bootstrap_auc(q, failed, clusters, n_boot=300, seed=8) != (low, high)


def test_bootstrap_resamples_clusters_not_comparisons():
    # One cluster: every resample is the whole data set, so the interval collapses.
    q, failed, _ = _toy()
    low, high = bootstrap_auc(q, failed, np.zeros(q.size), n_boot=50)
    assert low == pytest.approx(high) == pytest.approx(edc_auc(q, failed))


def test_paired_difference():
    q, failed, clusters = _toy()
    assert bootstrap_auc_difference(q, q, failed, clusters, n_boot=50) == (0.0, 0.0)
    # The informative score beats a constant one beyond noise.
    _, high = bootstrap_auc_difference(q, np.zeros(q.size), failed, clusters, n_boot=300)
    assert high < 0


def test_summarize():
    q, failed, clusters = _toy()
    s = summarize(q, failed, clusters, baseline_quality=-q, n_boot=100)
    assert s.n == q.size and s.fnmr == pytest.approx(failed.mean())
    assert s.oracle < s.auc < s.random < s.baseline_auc
    assert 0 < s.gain < 1
    assert s.diff_ci[1] < 0
