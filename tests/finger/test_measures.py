"""Measures and block fields against ground truth: sinusoid ridges of known period, direction
and contrast (``synthetic.ridge_pattern``)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from biocap.finger import MEASURES, analyse
from biocap.finger.fields import BLOCK_PX, compute_fields
from biocap.finger.measures import compute_measures
from biocap.finger.synthetic import BACKGROUND_GREY, ridge_pattern

MM2_PER_BLOCK = (BLOCK_PX * 25.4 / 500.0) ** 2


def _measures(img: np.ndarray) -> dict[str, float]:
    return {k: m.raw for k, m in compute_measures(analyse(img)).items()}


def _noisy(img: np.ndarray, std: float, seed: int = 0) -> np.ndarray:
    noise = np.random.default_rng(seed).normal(0.0, std, img.shape)
    return np.clip(img + noise, 0, 255).astype(np.uint8)


def test_registry_lists_every_measure_compute_measures_returns() -> None:
    out = compute_measures(analyse(ridge_pattern((128, 128))))
    assert list(out) == list(MEASURES)
    for name, m in out.items():
        assert m.name == name and m.unit == MEASURES[name][0].unit


@pytest.mark.parametrize("period_px", [7.0, 9.0, 12.0])
@pytest.mark.parametrize("angle_deg", [0.0, 30.0, 75.0, 120.0])
def test_ridge_period_matches_the_generated_period(period_px: float, angle_deg: float) -> None:
    m = _measures(ridge_pattern((256, 256), period_px=period_px, angle_deg=angle_deg))
    assert m["ridge_period"] == pytest.approx(period_px, abs=1.0)


@pytest.mark.parametrize("angle_deg", [0.0, 20.0, 45.0, 60.0, 90.0, 110.0, 135.0, 170.0])
def test_block_orientation_is_the_ridge_direction(angle_deg: float) -> None:
    f = compute_fields(ridge_pattern((256, 288), period_px=9.0, angle_deg=angle_deg))
    assert f.foreground.all()
    est = np.degrees(f.orientation[f.foreground])
    assert ((est >= 0.0) & (est < 180.0)).all()  # documented range [0, pi)
    err = np.abs((est - angle_deg + 90.0) % 180.0 - 90.0)  # 0 and 180 deg are one direction
    assert err.max() < 6.0, f"worst block {err.max():.1f} deg off"


def test_orientation_certainty_high_for_ridges_low_for_noise() -> None:
    ridges = _measures(ridge_pattern((256, 256), angle_deg=35.0))
    noise = np.random.default_rng(0).integers(0, 256, (256, 256), dtype=np.uint8)
    rough = _measures(noise)
    assert ridges["orientation_certainty"] > 0.8
    assert rough["orientation_certainty"] < 0.3
    assert ridges["local_clarity"] > 0.8 and rough["local_clarity"] < 0.35


def test_clarity_and_contrast_fall_as_ridge_contrast_falls() -> None:
    # fixed sensor noise: fainter ridges are harder to separate from it
    rows = [
        _measures(_noisy(ridge_pattern((256, 256), angle_deg=30.0, contrast=c), 12.0))
        for c in (1.0, 0.6, 0.35, 0.2)
    ]
    for key in ("local_clarity", "ridge_valley_contrast", "orientation_certainty"):
        values = [r[key] for r in rows]
        assert all(a > b for a, b in itertools.pairwise(values)), (key, values)
    # the modulation depth is a grey-level std of a sinusoid: amplitude / sqrt(2)
    assert rows[0]["ridge_valley_contrast"] == pytest.approx(127.0 / np.sqrt(2), rel=0.1)


def test_clarity_falls_as_noise_rises_while_modulation_stays() -> None:
    base = ridge_pattern((256, 256), angle_deg=30.0, contrast=0.5)
    rows = [_measures(_noisy(base, s)) for s in (0.0, 15.0, 30.0, 60.0)]
    for key in ("local_clarity", "orientation_certainty", "frequency_domain_analysis"):
        values = [r[key] for r in rows]
        assert all(a > b for a, b in itertools.pairwise(values)), (key, values)
    # ridge_valley_contrast averages along the ridges: noise barely changes the depth it reads
    rvc = [r["ridge_valley_contrast"] for r in rows]
    assert max(rvc) - min(rvc) < 0.1 * rvc[0], rvc


def _ridges_in_rectangle() -> tuple[np.ndarray, np.ndarray]:
    """Ridges on block rows 2..6 and columns 3..8 of a 10 x 12 block platen, and that mask."""
    img = np.full((320, 384), int(BACKGROUND_GREY), np.uint8)
    img[64:224, 96:288] = ridge_pattern((160, 192), period_px=9.0, angle_deg=30.0)
    blocks = np.zeros((10, 12), bool)
    blocks[2:7, 3:9] = True
    return img, blocks


def test_foreground_area_is_the_ridge_area() -> None:
    img, blocks = _ridges_in_rectangle()
    m = _measures(img)
    assert m["foreground_area"] == pytest.approx(blocks.sum() * MM2_PER_BLOCK, rel=0.05)

    # a disc: every block the disc touches may count, none outside its one-block neighbourhood
    yy, xx = np.mgrid[0:320, 0:384]
    r = 110.0
    disc = (yy - 160) ** 2 + (xx - 192) ** 2 < r * r
    img2 = np.where(disc, ridge_pattern((320, 384), 9.0, 30.0), 230).astype(np.uint8)
    area = _measures(img2)["foreground_area"]
    mm_per_px = 25.4 / 500.0
    true = disc.sum() * mm_per_px**2
    outer = np.pi * (r + BLOCK_PX * np.sqrt(2)) ** 2 * mm_per_px**2
    assert true <= area <= outer, (true, area, outer)


def test_foreground_blocks_are_where_the_ridges_are() -> None:
    img, blocks = _ridges_in_rectangle()
    fg = compute_fields(img).foreground
    assert np.array_equal(fg, blocks), f"\n{fg.astype(int)}"


def test_flat_and_blank_images_have_no_foreground() -> None:
    for img in (np.full((256, 256), 230, np.uint8), np.zeros((256, 256), np.uint8)):
        f = compute_fields(img)
        assert not f.foreground.any()
        m = _measures(img)
        assert m["foreground_area"] == 0.0 and m["ridge_likeness"] == 0.0
