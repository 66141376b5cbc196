"""``order_stats`` must give NumPy's percentiles and medians bit for bit: the model reads them."""

from __future__ import annotations

import numpy as np
import pytest

from biocap.finger.order_stats import median, percentiles

QS = [(10, 50, 90), (25, 50, 75), (0, 100), (33.3,)]


def _samples(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    out = []
    for n in (1, 2, 3, 4, 7, 10, 11, 64, 101, 144):
        for dtype in (np.float32, np.float64):
            v = rng.normal(size=(7, n)) * rng.choice([1e-3, 1.0, 100.0, 1e6])
            out += [v.astype(dtype), np.round(v).astype(dtype)]  # ties and whole numbers too
    return out


@pytest.mark.parametrize("q", QS)
@pytest.mark.parametrize("seed", [0, 1])
def test_percentiles_equal_numpy_bit_for_bit(q: tuple[float, ...], seed: int) -> None:
    for v in _samples(seed):
        for x in (v, v[0]):  # rows of block fields, and one field
            ref, got = np.percentile(x, q, axis=-1), percentiles(x, q)
            assert got.dtype == ref.dtype and got.shape == ref.shape
            assert np.array_equal(got, ref), (x.shape, x.dtype, q)


@pytest.mark.parametrize("seed", [0, 1])
def test_median_equals_numpy_bit_for_bit(seed: int) -> None:
    for v in _samples(seed):
        assert median(v[0]) == float(np.median(v[0])), (v.shape, v.dtype)


def test_nan_follows_numpy() -> None:
    v = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]], np.float32)
    assert np.array_equal(percentiles(v, (10, 50)), np.percentile(v, (10, 50), axis=-1), True)
    assert np.isnan(median(v[0])) and median(v[1]) == 2.0
    assert np.isnan(median(np.array([], np.float32)))
