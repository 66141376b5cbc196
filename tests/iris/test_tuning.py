"""The unified quality's fit: scale-free ridge, targets centred within each set."""

from __future__ import annotations

import numpy as np

from biocap.iris import tuning as T


def test_ridge_ignores_feature_units():
    """The penalty acts on standardised features: rescaling a feature (0-0.2 vs 0-1) changes
    its weight, not the predictions."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(200, 3))
    y = x @ np.array([0.5, -1.0, 0.2]) + rng.normal(scale=0.1, size=200)
    scale = np.array([1.0, 0.01, 100.0])
    p1 = T.predict(T.fit(x, y, alpha=10.0), x)
    p2 = T.predict(T.fit(x * scale, y, alpha=10.0), x * scale)
    np.testing.assert_allclose(p1, p2, atol=1e-9)
    # and it still shrinks: a huge penalty predicts the mean
    np.testing.assert_allclose(T.predict(T.fit(x, y, alpha=1e9), x), y.mean(), atol=1e-3)


def test_targets_are_centred_within_each_set():
    keys = [("a", "1"), ("a", "2"), ("b", "1"), ("b", "2"), ("b", "3")]
    y = np.array([1.0, 0.8, 0.4, 0.6, 0.2])
    ts = T.TrainingSet(keys, np.zeros((5, 1)), y, np.array(list("xxyyz")), {}, None)
    t = T.within_set_targets(ts)
    # order within a set kept, every set's mean moved to the pooled mean
    assert t[0] > t[1] and t[3] > t[2] > t[4]
    np.testing.assert_allclose([t[:2].mean(), t[2:].mean()], y.mean())
