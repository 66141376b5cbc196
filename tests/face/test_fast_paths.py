"""The fast paths of the face core give the answers of the straightforward code they replace."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from biocap.face.context import FaceContext
from biocap.face.detect import decode
from biocap.face.landmarks import Square, warp_crop
from biocap.face.measures import grey_histogram, hist_percentiles, noise


@pytest.mark.parametrize("seed", range(20))
def test_histogram_percentiles_equal_numpy(seed):
    rng = np.random.default_rng(seed)
    img = np.clip(rng.normal(rng.uniform(20, 230), rng.uniform(1, 60), (40, 50)), 0, 255)
    img = img.astype(np.uint8)
    mask = rng.random((40, 50)) < rng.uniform(0.02, 1.0)
    if not mask.any():
        mask[0, 0] = True
    q = [1, 5, 50, 95, 99]
    got = hist_percentiles(grey_histogram(img, mask), q)
    np.testing.assert_allclose(got, np.percentile(img[mask], q), atol=1e-9)


@pytest.mark.parametrize("channels", [1, 3])
def test_warp_crop_matches_a_border_replicating_warp(channels):
    """Inside, across and beyond the image border, with and without the alpha channel (the last
    square shrinks by more than 4): at most 1 grey level apart, rarely."""
    rng = np.random.default_rng(channels)
    img = cv2.GaussianBlur(rng.integers(0, 256, (400, 300, 3), np.uint8), (0, 0), 2)
    if channels == 1:
        img = cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)
    differ = total = 0
    squares = [(45, 60, 50, 0.1), (5, 10, 80, -0.7), (100, 130, 60, 2.0), (-40, 60, 30, 0.0),
               (45, 60, 300, 0.3), (150, 200, 380, 0.2)]  # fmt: skip
    for cx, cy, side, angle in squares:
        m = Square(cx, cy, side, angle).to_image(64)
        ref = cv2.warpAffine(img, m, (64, 64), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                             borderMode=cv2.BORDER_REPLICATE)  # fmt: skip
        got = warp_crop(img, m, (64, 64))
        assert got.shape == ref.shape and got.dtype == np.uint8
        d = np.abs(got.astype(int) - ref.astype(int))
        assert d.max() <= 1
        differ += int(np.count_nonzero(d))
        total += d.size
    assert differ / total < 0.05


def test_decode_scores_only_anchors_above_the_threshold_logit():
    rng = np.random.default_rng(0)
    reg = rng.normal(0, 5, (896, 16)).astype(np.float32)
    reg[:, 2:4] = np.abs(reg[:, 2:4]) + 4  # box sizes
    logits = rng.normal(-3, 3, 896).astype(np.float32)
    for min_score in (0.4, 0.5, 0.6):
        got = decode(reg, logits, 1.0, 0.0, 0.0, min_score)
        scores = 1 / (1 + np.exp(-logits.astype(np.float64)))
        assert got and all(d.score >= min_score for d in got)
        assert got[0].score == pytest.approx(scores.max())


def test_noise_histogram_median_equals_the_float_filter_median(portrait):
    ctx = FaceContext.build(portrait)
    g = ctx.aligned_grey.astype(np.float32)
    k = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)
    ref = np.median(np.abs(cv2.filter2D(g, -1, k))[ctx.skin_mask]) / (0.6745 * 6.0)
    assert noise(ctx) == pytest.approx(ref, abs=1e-9)


def test_colour_crop_is_the_aligned_crop_at_half_scale(portrait):
    ctx = FaceContext.build(portrait)
    half = ctx.aligned_rgb_half
    w, h = ctx.aligned_size
    assert half.shape == ((h + 1) // 2, (w + 1) // 2, 3)
    # same place: the half-scale crop's grey follows the full crop's, pixel for pixel
    grey = cv2.cvtColor(half, cv2.COLOR_RGB2GRAY).astype(float)
    full = ctx.aligned_grey[::2, ::2].astype(float)
    assert np.corrcoef(grey.ravel(), full.ravel())[0, 1] > 0.95


def test_degenerate_boxes_end_the_suppression():
    """Zero-size boxes (IoU 0 even with themselves) once looped forever."""
    reg = np.zeros((896, 16), np.float32)
    logits = np.full(896, 5.0, np.float32)
    assert len(decode(reg, logits, 1.0, 0.0, 0.0, 0.5)) == 896
