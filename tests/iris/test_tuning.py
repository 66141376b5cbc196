"""The unified quality's fit: non-negative, scale-free ridge; targets centred within each set
and averaged over matchers; folds that keep every eye on one side."""

from __future__ import annotations

import numpy as np

from biocap.iris import tuning as T


def _ridge(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Unconstrained ridge on standardised features, closed form (the reference)."""
    xm, xs = x.mean(0), x.std(0)
    z = (x - xm) / xs
    w = np.linalg.solve(z.T @ z + alpha * np.eye(x.shape[1]), z.T @ (y - y.mean())) / xs
    return np.concatenate([[y.mean() - xm @ w], w])


def test_fit_equals_ridge_when_all_weights_are_positive():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 3))
    y = x @ np.array([0.5, 1.0, 0.2]) + rng.normal(scale=0.1, size=300)
    np.testing.assert_allclose(T.fit(x, y, alpha=10.0), _ridge(x, y, 10.0), atol=1e-8)


def test_fit_never_counts_a_measure_backwards():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(300, 3))
    y = x @ np.array([0.8, -0.6, 0.0]) + rng.normal(scale=0.1, size=300)
    w = T.fit(x, y, alpha=1.0)
    assert (w[1:] >= 0).all()
    assert w[1] > 0.5 and w[2] == 0.0
    # and the penalty shrinks: a huge one predicts the mean
    np.testing.assert_allclose(T.predict(T.fit(x, y, alpha=1e9), x), y.mean(), atol=1e-3)


def test_fit_ignores_feature_units():
    rng = np.random.default_rng(2)
    x = rng.normal(size=(200, 3))
    y = x @ np.array([0.5, 1.0, 0.2]) + rng.normal(scale=0.1, size=200)
    scale = np.array([1.0, 0.01, 100.0])
    p1 = T.predict(T.fit(x, y, alpha=10.0), x)
    p2 = T.predict(T.fit(x * scale, y, alpha=10.0), x * scale)
    np.testing.assert_allclose(p1, p2, atol=1e-9)


def _ts(y: dict[str, np.ndarray], eyes: str) -> T.TrainingSet:
    keys = [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"), ("b", "3")]
    n = len(keys)
    return T.TrainingSet(
        keys, np.zeros((n, 1)), y, np.array(list(eyes)), {}, np.zeros(n, bool), {}, {}
    )


def test_targets_are_centred_within_each_set_and_averaged_over_matchers():
    y1 = np.array([1.0, 0.8, 0.4, 0.6, 0.2])
    t = T.within_set_targets(_ts({"m": y1}, "xxyyz"))
    # order within a set kept, every set's mean moved to the pooled mean
    assert t[0] > t[1] and t[3] > t[2] > t[4]
    np.testing.assert_allclose([t[:2].mean(), t[2:].mean()], y1.mean())
    y2 = np.array([1.0, 1.0, 1.0, 0.0, 1.0])
    both = T.within_set_targets(_ts({"m": y1, "n": y2}, "xxyyz"))
    one = T.within_set_targets(_ts({"n": y2}, "xxyyz"))
    np.testing.assert_allclose(both, (t + one) / 2)


def test_folds_keep_each_eye_in_one_fold():
    eyes = np.array([f"e{i % 23}" for i in range(230)])
    fold = T._folds(eyes, 5)
    for e in np.unique(eyes):
        assert len(set(fold[eyes == e])) == 1
    assert len(set(fold)) == 5
