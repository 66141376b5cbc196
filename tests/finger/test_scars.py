"""Scar and cut detector (``biocap.finger.scars``): synthetic cuts, clean prints and plain ridges,
and the shared real images (read in place, never copied; skipped when ``../shared/data`` is absent).
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from biocap.finger import synthetic as S
from biocap.finger.fields import compute_fields
from biocap.finger.scars import SCARRED_LENGTH_PX, find_scars, scar_measure
from biocap.io import read

#: The 60 altered prints of ``finger/altered_haq``, labelled by eye from the images:
#: ``cut``: light bands (about 8 px wide or more) crossing or cutting through the ridges, what
#: ``finger.scarred`` is for; ``thin``: thin light lines across the ridges (a few px, like the
#: natural flexion creases of normal prints); ``other``: rotated or Z-cut patches, pasted,
#: blurred, smudged, dark or dry regions with no cut.
ALTERED_LABELS: dict[str, str] = {
    **dict.fromkeys(
        [
            "test_1__a2.bmp",  # faint diagonal band through a dry print
            "test_1__a8.bmp",
            "test_1__a11.bmp",  # jagged cut
            "test_1__a12.bmp",
            "test_1__a16.bmp",
            "test_1__a26.bmp",
            "test_1__a30.bmp",
            "test_2__a8.bmp",
            "test_2__a11.bmp",
            "test_2__a24.bmp",
            "test_2__a28.bmp",
        ],
        "cut",
    ),
    **dict.fromkeys(
        ["test_1__a9.bmp", "test_1__a24.bmp", "test_1__a25.bmp", "test_1__a27.bmp"], "thin"
    ),
    "test_1__a28.bmp": "thin",
}
for _set in (1, 2):
    for _n in range(1, 31):
        ALTERED_LABELS.setdefault(f"test_{_set}__a{_n}.bmp", "other")

#: what the shared sets gave when the threshold was set (see the module docstring of scars.py).
MIN_CUTS_FOUND = 10  # of 11
FVC_SETS = ("fvc2002_db1_b", "fvc2002_db3_b", "fvc2002_db4_b")


def _length(img: np.ndarray) -> float:
    return scar_measure(compute_fields(img))


# --- synthetic -----------------------------------------------------------------------------


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_synthetic_cuts_are_found(seed: int) -> None:
    img = S.fingerprint(seed=seed)
    scars = find_scars(compute_fields(S.scar(img, seed=seed)))
    assert scars.scarred and scars.length_px >= SCARRED_LENGTH_PX
    assert scars.bands >= 1 and scars.blocks.any()
    x, y = scars.centre
    assert 0 <= x < img.shape[1] and 0 <= y < img.shape[0]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_single_synthetic_cut_is_found(seed: int) -> None:
    img = S.scar(S.fingerprint(seed=seed), seed=seed, count=1)
    assert _length(img) >= SCARRED_LENGTH_PX


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_clean_and_otherwise_degraded_synthetic_prints_are_not_scarred(seed: int) -> None:
    img = S.fingerprint(seed=seed)
    for name, out in {
        "clean": img,
        "dry": S.dry(img, seed),
        "wet": S.wet(img),
        "worn": S.worn(img, seed),
        "partial": S.partial(img),
        "off_centre": S.off_centre(img),
    }.items():
        assert _length(out) < SCARRED_LENGTH_PX, name


@pytest.mark.parametrize("period_px", [6.0, 9.0, 12.0])
@pytest.mark.parametrize("angle_deg", [0.0, 45.0, 100.0])
def test_plain_ridge_patterns_have_no_scar(period_px: float, angle_deg: float) -> None:
    for contrast in (1.0, 0.3):
        img = S.ridge_pattern(
            (300, 300), period_px=period_px, angle_deg=angle_deg, contrast=contrast
        )
        assert _length(img) == 0.0


def test_blank_and_tiny_images_have_no_scar() -> None:
    assert _length(S.blank()) == 0.0
    assert _length(S.fingerprint(seed=1)[:40, :50]) == 0.0


@pytest.mark.parametrize("ridge_deg", [0.0, 30.0, 75.0])
def test_a_drawn_band_is_measured_where_it_is(ridge_deg: float) -> None:
    """A 10 px light band, 256 px long at 38.7 deg, centred on (190, 200): across the ridges
    (0 and 75 deg) and nearly along them (30 deg). Its length, place and direction come back."""
    img = S.ridge_pattern((400, 400), period_px=9.0, angle_deg=ridge_deg, mean=120, contrast=0.8)
    cv2.line(img, (90, 120), (290, 280), 230, 10, cv2.LINE_AA)
    scars = find_scars(compute_fields(img))
    assert scars.length_px == pytest.approx(256, abs=35)
    assert scars.centre == pytest.approx((190, 200), abs=12)
    assert abs(scars.angle_deg - 38.7) <= 7.5  # 12 directions, 15 deg apart
    assert scars.bands == 1


def test_a_thin_crease_like_line_is_not_a_scar() -> None:
    img = S.ridge_pattern((400, 400), period_px=9.0, angle_deg=0.0, mean=120, contrast=0.8)
    cv2.line(img, (90, 120), (290, 280), 230, 3, cv2.LINE_AA)
    assert _length(img) < SCARRED_LENGTH_PX


# --- shared real images --------------------------------------------------------------------


def _lengths(paths: list[Path]) -> dict[str, float]:
    return {p.name: _length(read(p, ppi=500.0).grey()) for p in paths}


@pytest.mark.shared_data
def test_shared_cuts_are_found_and_normal_prints_are_not_flagged(shared_data: Path) -> None:
    altered = shared_data / "finger" / "altered_haq"
    cuts = [altered / n for n, label in ALTERED_LABELS.items() if label == "cut"]
    assert len(cuts) == 11
    missed = {n: round(v) for n, v in _lengths(cuts).items() if v < SCARRED_LENGTH_PX}
    assert len(cuts) - len(missed) >= MIN_CUTS_FOUND, missed

    unaltered = sorted(p for p in altered.glob("*.bmp") if "__a" not in p.name)
    assert len(unaltered) == 100
    fvc = sorted(p for s in FVC_SETS for p in (shared_data / "finger" / s).glob("*.tif"))
    assert len(fvc) == 240
    for paths in (unaltered, fvc):
        lengths = _lengths(paths)
        flagged = {n: round(v) for n, v in lengths.items() if v >= SCARRED_LENGTH_PX}
        assert flagged == {}
