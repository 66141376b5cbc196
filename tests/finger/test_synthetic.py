"""The synthetic generator itself: shapes, determinism, speed and that each degradation does to
the pixels what its docstring says (independently of the fingerprint core)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from biocap.finger import synthetic as S


def _centroid_x(img: np.ndarray) -> float:
    ink = np.maximum(S.BACKGROUND_GREY - img.astype(np.float32), 0.0)
    xs = np.arange(img.shape[1], dtype=np.float32)
    return float((ink.sum(0) * xs).sum() / ink.sum())


def _ridge_depth(img: np.ndarray) -> np.ndarray:
    """Absolute deviation from the local mean: the ridge-valley modulation per pixel."""
    f = img.astype(np.float32)
    return np.abs(f - cv2.GaussianBlur(f, (0, 0), 6.0))


def _print_mask(img: np.ndarray) -> np.ndarray:
    return cv2.GaussianBlur(img, (0, 0), 6.0) < S.BACKGROUND_GREY - 40


@pytest.mark.parametrize("angle_deg", [0.0, 30.0, 90.0, 135.0])
def test_ridge_pattern_is_constant_along_the_ridge_direction(angle_deg: float) -> None:
    img = S.ridge_pattern((200, 200), period_px=9.0, angle_deg=angle_deg).astype(np.float32)
    t = np.deg2rad(angle_deg)
    # Shift by 10 px along the ridges (x right, y down): the pattern must not change;
    # across the ridges by half a period it must invert.
    along = np.float32([[1, 0, 10 * np.cos(t)], [0, 1, 10 * np.sin(t)]])
    across = np.float32([[1, 0, -4.5 * np.sin(t)], [0, 1, 4.5 * np.cos(t)]])
    inner = (slice(30, 170), slice(30, 170))
    moved = cv2.warpAffine(img, along, (200, 200), flags=cv2.INTER_LINEAR)
    flipped = cv2.warpAffine(img, across, (200, 200), flags=cv2.INTER_LINEAR)
    assert np.abs(moved - img)[inner].mean() < 3.0
    assert np.abs(flipped - (256.0 - img))[inner].mean() < 6.0


def test_ridge_pattern_contrast_and_mean() -> None:
    full = S.ridge_pattern((128, 128), contrast=1.0, mean=128.0)
    half = S.ridge_pattern((128, 128), contrast=0.5, mean=128.0)
    assert full.dtype == np.uint8 and full.shape == (128, 128)
    assert full.min() <= 2 and full.max() >= 253
    assert abs(float(half.mean()) - 128.0) < 1.0
    assert 60 <= half.min() <= 66 and 190 <= half.max() <= 196


def test_fingerprint_shape_dtype_and_determinism(prints: dict[int, np.ndarray]) -> None:
    img = prints[0]
    assert img.dtype == np.uint8 and img.shape == (400, 380)
    assert np.array_equal(img, S.fingerprint(seed=0))
    assert not np.array_equal(img, prints[1])
    assert S.fingerprint((320, 300), seed=5).shape == (320, 300)


def test_fingerprint_looks_like_a_plain_impression(prints: dict[int, np.ndarray]) -> None:
    img = prints[0]
    border = np.concatenate([img[:8].ravel(), img[-8:].ravel(), img[:, :8].ravel()])
    assert 220 <= np.median(border) <= 240  # light platen
    inside = img[150:250, 140:240]
    assert inside.min() < 80 and inside.max() > 190  # dark ridges, light valleys
    share = _print_mask(img).mean()
    assert 0.35 < share < 0.8  # an elliptical finger, not the whole frame


def test_fingerprint_period_follows_the_parameter() -> None:
    def dominant_period(img: np.ndarray) -> float:
        patch = img[140:268, 126:254].astype(np.float32)
        spec = np.abs(np.fft.fftshift(np.fft.fft2(patch - patch.mean())))
        cy, cx = np.unravel_index(spec.argmax(), spec.shape)
        return 128.0 / float(np.hypot(cy - 64, cx - 64))

    assert abs(dominant_period(S.fingerprint(seed=4, period_px=7.0)) - 7.0) < 1.0
    assert abs(dominant_period(S.fingerprint(seed=4, period_px=11.0)) - 11.0) < 1.5


def test_degradations_keep_shape_and_dtype(prints: dict[int, np.ndarray]) -> None:
    img = prints[0]
    outs = [
        S.dry(img, 0),
        S.wet(img),
        S.worn(img),
        S.partial(img),
        S.off_centre(img),
        S.scar(img, 0),
    ]
    for out in outs:
        assert out.dtype == np.uint8 and out.shape == img.shape
        assert not np.array_equal(out, img)
    assert np.array_equal(S.dry(img, 3), S.dry(img, 3))
    assert np.array_equal(S.scar(img, 3), S.scar(img, 3))
    assert not np.array_equal(S.scar(img, 3), S.scar(img, 4))


def test_blank() -> None:
    b = S.blank((100, 90), 237)
    assert b.dtype == np.uint8 and b.shape == (100, 90) and (b == 237).all()


def test_degradations_do_what_they_say(prints: dict[int, np.ndarray]) -> None:
    img = prints[1]
    mask = _print_mask(img)
    f = img.astype(np.float32)
    assert S.dry(img, 1)[mask].mean() > f[mask].mean() + 40  # lighter
    assert S.wet(img)[mask].mean() < 0.5 * f[mask].mean()  # darker
    # worn: same local mean, much shallower ridges
    inner = cv2.erode(mask.astype(np.uint8), np.ones((25, 25), np.uint8)).astype(bool)
    assert _ridge_depth(S.worn(img))[inner].mean() < 0.4 * _ridge_depth(img)[inner].mean()
    # partial: a small piece of the print stays, in place
    kept = _print_mask(S.partial(img))
    assert 0.05 < kept.sum() / mask.sum() < 0.3
    assert (kept & ~mask).sum() < 0.05 * kept.sum()
    # off-centre: the print moves right and loses its right part to the frame
    shifted = S.off_centre(img)
    assert _centroid_x(shifted) > _centroid_x(img) + 0.2 * img.shape[1]
    # scar: light bands inside the finger only
    scarred = S.scar(img, 1)
    lifted = (scarred.astype(np.int16) - img) > 40
    assert lifted[mask].mean() > 0.03
    assert lifted[~cv2.dilate(mask.astype(np.uint8), np.ones((9, 9))).astype(bool)].sum() == 0


@pytest.mark.parametrize("kind", ["smudge", "dry_patch", "worn_patch"])
def test_local_degradations_stay_inside_their_region(prints: dict[int, np.ndarray], kind) -> None:
    """Outside :func:`region_mask` nothing changes; inside, the ridges lose their depth
    (smudge, worn patch) or break into dots on a light ground (dry patch)."""
    img = prints[2]
    x0, y0, x1, y1 = S._print_box(img)
    where = {"centre": (x0 + 0.4 * (x1 - x0), y0 + 0.6 * (y1 - y0)), "axes": (60.0, 45.0)}
    out = getattr(S, kind)(img, seed=4, **where)
    assert out.dtype == np.uint8 and out.shape == img.shape
    assert np.array_equal(out, getattr(S, kind)(img, seed=4, **where))
    m = S.region_mask(img, **where)
    assert np.abs(out.astype(np.int16) - img)[m < 0.002].max() <= 1
    inside = m > 0.99
    assert 0.8 * np.pi * 60 * 45 < inside.sum() < np.pi * 60 * 45  # the ellipse asked for
    depth, before = _ridge_depth(out)[inside].mean(), _ridge_depth(img)[inside].mean()
    if kind == "dry_patch":
        ink = out < S.BACKGROUND_GREY - 20  # dark pixels: what the dots keep
        assert ink[inside].mean() < 0.6 * (img < S.BACKGROUND_GREY - 20)[inside].mean()
        assert out[inside].mean() > img[inside].mean() + 30  # lighter
    else:
        assert depth < 0.35 * before
        assert abs(float(out[inside].mean()) - float(img[inside].mean())) < 15  # same ink level


@pytest.mark.parametrize("period_px", [0.0, -3.0, 1.5, float("nan")])
def test_impossible_periods_are_refused(period_px: float) -> None:
    with pytest.raises(ValueError, match="period_px"):
        S.ridge_pattern((64, 64), period_px=period_px)
    with pytest.raises(ValueError, match="period_px"):
        S.fingerprint((64, 64), period_px=period_px)
