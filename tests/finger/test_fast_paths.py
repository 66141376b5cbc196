"""The fast paths of the shared fields against plain whole-image references, value for value.

The ridge-valley profiles gather only each block's strip pixels, and the ridge segments are
counted on the foreground's bounding box; both must give exactly what the direct computation
gives, since the utility model reads the results.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from biocap.finger import synthetic as S
from biocap.finger.core import prepare
from biocap.finger.fields import (
    N_ANGLES,
    PROFILE_HALF_PX,
    PROFILE_LEN,
    STRIP_HALF_PX,
    Fields,
    _pad_to_blocks,
    _profiles,
    compute_fields,
)
from biocap.finger.ridges import MIN_SEGMENT_PX, count_segments, foreground_mask
from biocap.io import read

from .helpers import SEEDS


def _reference_profile(block: np.ndarray, angle: int, mean: float) -> tuple[np.ndarray, ...]:
    """One block's profile, bin counts and dark counts from the strip geometry, pixel by pixel
    in NumPy (a test reference, not a hot path)."""
    b = block.shape[0]
    c0 = (b - 1) / 2.0
    yy, xx = np.mgrid[0:b, 0:b]
    phi = np.pi * angle / N_ANGLES
    t = (xx - c0) * np.cos(phi) + (yy - c0) * np.sin(phi)
    u = (yy - c0) * np.cos(phi) - (xx - c0) * np.sin(phi)
    tb = np.floor(t).astype(int) + PROFILE_HALF_PX
    keep = (np.abs(u) <= STRIP_HALF_PX) & (tb >= 0) & (tb < PROFILE_LEN)
    counts = np.bincount(tb[keep], minlength=PROFILE_LEN).astype(np.float64)
    sums = np.bincount(tb[keep], weights=block[keep], minlength=PROFILE_LEN)
    dark = np.bincount(tb[keep], weights=block[keep] < mean, minlength=PROFILE_LEN)
    return sums / counts, counts, dark


@pytest.mark.parametrize("seed", SEEDS)
def test_profiles_equal_the_strip_definition(seed: int) -> None:
    grey = S.fingerprint(seed=seed)
    img = _pad_to_blocks(grey, 32).astype(np.float32)
    rows, cols = img.shape[0] // 32, img.shape[1] // 32
    mean = cv2.resize(img, (cols, rows), interpolation=cv2.INTER_AREA)
    # every quantised angle, each at several blocks
    normal = (np.arange(rows * cols) % N_ANGLES * (np.pi / N_ANGLES)).reshape(rows, cols)
    normal = normal.astype(np.float32)
    idx = np.arange(rows * cols)
    prof, counts, dark, continuity = _profiles(img, normal, mean, idx, 32)
    assert prof.shape == (idx.size, PROFILE_LEN) and continuity.shape == (idx.size,)
    for k in idx:
        r, c = divmod(int(k), cols)
        block = img[r * 32 : (r + 1) * 32, c * 32 : (c + 1) * 32]
        ref = _reference_profile(block, int(k) % N_ANGLES, float(mean[r, c]))
        assert np.array_equal(counts[k], ref[1])
        assert np.array_equal(dark[k], ref[2])
        np.testing.assert_allclose(prof[k], ref[0], rtol=1e-6)


def _reference_counts(fields: Fields) -> tuple[int, int, int, int]:
    """Segment counts on the whole image (what ``count_segments`` does on a bounding box)."""
    mask = foreground_mask(fields)
    smooth = fields.smooth[: fields.height, : fields.width]
    dark = smooth < cv2.blur(smooth, (15, 15))
    inside = mask.astype(bool)
    counts, specks = [], 0
    for binary in (dark & inside, ~dark & inside):
        n, labels = cv2.connectedComponents(binary.view(np.uint8), connectivity=8)
        area = np.bincount(labels.ravel(), minlength=n)[1:]
        counts.append(int((area >= MIN_SEGMENT_PX).sum()))
        specks += int((area < MIN_SEGMENT_PX).sum())
    return counts[0], counts[1], specks, int(mask.sum())


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("shift", [(0, 0), (40, 70), (150, 0)])
def test_segment_counts_on_the_bounding_box_equal_the_whole_image(
    seed: int, shift: tuple[int, int]
) -> None:
    grey = S.fingerprint(seed=seed)
    # the print moved in a larger white frame: the box no longer starts at the image corner
    frame = np.full((grey.shape[0] + 160, grey.shape[1] + 160), 255, np.uint8)
    y, x = shift
    frame[y : y + grey.shape[0], x : x + grey.shape[1]] = grey
    for img in (grey, frame):
        fields = compute_fields(img)
        r = count_segments(fields)
        assert r.ridge_segments > 0
        got = (r.ridge_segments, r.valley_segments, r.specks, r.foreground_px)
        assert got == _reference_counts(fields)


#: real prints: the altered one has a flat saturated area where a box filter restarted at the
#: bounding box rounds some local means differently (95 vs 96 specks when done so).
REAL_PRINTS = ("altered_haq/template_2__107_8.bmp", "fvc2002_db1_b/101_1.tif")


@pytest.mark.shared_data
@pytest.mark.parametrize("name", REAL_PRINTS)
def test_segment_counts_on_real_prints_equal_the_whole_image(shared_data: Path, name: str) -> None:
    grey, _ = prepare(read(shared_data / "finger" / name, modality="finger"))
    fields = compute_fields(grey)
    r = count_segments(fields)
    got = (r.ridge_segments, r.valley_segments, r.specks, r.foreground_px)
    assert got == _reference_counts(fields)
