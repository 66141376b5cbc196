"""assess() on a public-domain portrait and on copies degraded in code (known defects)."""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest

from biocap.assessment import QUALITY_FAILURE
from biocap.capture import Capture
from biocap.face import CODES, MEASURES, DefectThresholds, assess

from .conftest import rotate


@pytest.fixture(scope="module")
def clean(portrait_capture):
    return assess(portrait_capture)


def codes(a) -> set[str]:
    return {d.code for d in a.defects}


def test_clean_portrait_has_one_sharp_well_lit_frontal_face(clean):
    assert clean.measures["single_face_present"].raw == 1
    assert 80 < clean.measures["inter_eye_distance"].raw < 130  # ~100 px at 600x800
    assert abs(clean.measures["head_pose_roll"].raw) < 6
    assert not codes(clean) & {
        "face.blurred", "face.too_dark", "face.too_bright", "face.eyes_closed",
        "face.eyes_occluded", "face.cropped", "face.too_small", "face.head_tilted",
    }  # fmt: skip
    assert 50 <= clean.quality <= 100


def test_every_measure_is_reported_with_a_score(clean):
    assert set(clean.measures) == set(MEASURES)
    for name, m in clean.measures.items():
        assert np.isfinite(m.raw), name
        assert m.score is None or 0 <= m.score <= 100


def test_overlay_is_json_and_in_image_pixels(clean):
    ov = json.loads(json.dumps(clean.overlay))
    x0, y0, x1, y1 = ov["box"]
    assert 0 <= x0 < x1 <= 600 and 0 <= y0 < y1 <= 800
    assert len(ov["eyes"]) == 2 and len(ov["landmarks"]) > 50
    left, right = (e["iris"] for e in ov["eyes"])
    assert left[0] < right[0]  # image-left eye first


def test_blur_is_flagged(portrait, clean):
    a = assess(Capture(cv2.GaussianBlur(portrait, (0, 0), 7)))
    assert "face.blurred" in codes(a)
    assert a.measures["sharpness"].raw < clean.measures["sharpness"].raw / 2
    assert a.quality < clean.quality


def test_horizontal_motion_blur_is_flagged(portrait):
    k = np.zeros((1, 35), np.float32) + 1 / 35
    assert "face.blurred" in codes(assess(Capture(cv2.filter2D(portrait, -1, k))))


def test_noise_alone_is_not_blur_but_noise(portrait):
    rng = np.random.default_rng(0)
    noisy = np.clip(portrait + rng.normal(0, 25, portrait.shape), 0, 255).astype(np.uint8)
    found = codes(assess(Capture(noisy)))
    assert "face.noisy" in found and "face.blurred" not in found


@pytest.mark.parametrize(
    ("gain", "code"), [(0.25, "face.too_dark"), (2.2, "face.too_bright")], ids=["under", "over"]
)
def test_exposure(portrait, gain, code):
    img = np.clip(portrait.astype(np.float32) * gain, 0, 255).astype(np.uint8)
    assert code in codes(assess(Capture(img)))


def test_roll_is_measured_and_flagged(portrait):
    a = assess(Capture(rotate(portrait, 15)))  # counter-clockwise on screen
    assert "face.head_tilted" in codes(a)
    assert a.measures["head_pose_roll"].raw == pytest.approx(-15, abs=4)


@pytest.mark.parametrize("dark", ["left", "right"])
def test_side_light_names_the_dark_side(portrait, clean, dark):
    x0, _, x1, _ = clean.overlay["box"]
    x = np.arange(portrait.shape[1])
    ramp = (x - x0) / (x1 - x0) if dark == "left" else (x1 - x) / (x1 - x0)
    gain = np.clip(ramp, 0.15, 1.0).astype(np.float32)[None, :, None]
    a = assess(Capture((portrait * gain).astype(np.uint8)))
    assert f"face.uneven_light_{dark}_dark" in codes(a)


def test_bar_over_the_eyes_is_occlusion(portrait, clean):
    eyes = np.array(clean.overlay["eyes"][0]["iris"][:2] + clean.overlay["eyes"][1]["iris"][:2])
    img = portrait.copy()
    y = int(eyes[1::2].mean())
    img[y - 25 : y + 25, int(eyes[0]) - 60 : int(eyes[2]) + 60] = 0
    assert "face.eyes_occluded" in codes(assess(Capture(img)))


def test_patch_over_the_mouth_is_occlusion(portrait, clean):
    chin = clean.overlay["chin"]
    img = portrait.copy()
    img[int(chin[1]) - 110 : int(chin[1]) - 20, int(chin[0]) - 80 : int(chin[0]) + 80] = 200
    assert "face.mouth_occluded" in codes(assess(Capture(img)))


def test_face_cut_by_the_border_is_cropped(portrait, clean):
    x = int(np.mean([clean.overlay["box"][0], clean.overlay["box"][2]]))
    assert "face.cropped" in codes(assess(Capture(np.ascontiguousarray(portrait[:, x - 20 :]))))


def test_small_face_is_too_small(portrait):
    small = cv2.resize(portrait, (240, 320), interpolation=cv2.INTER_AREA)  # IED ~40 px
    a = assess(Capture(small))
    assert "face.too_small" in codes(a)
    relaxed = assess(Capture(small), DefectThresholds(min_ied_px=30))
    assert "face.too_small" not in codes(relaxed)


def test_greyscale_is_flagged_unless_the_profile_allows_it(portrait):
    grey = Capture(cv2.cvtColor(portrait, cv2.COLOR_RGB2GRAY))
    assert "face.greyscale" in codes(assess(grey))
    assert "face.greyscale" not in codes(assess(grey, DefectThresholds(require_colour=False)))


def test_colour_cast_is_unnatural(portrait):
    cast = np.clip(portrait * np.array([1.5, 1.0, 0.6], np.float32), 0, 255).astype(np.uint8)
    assert "face.unnatural_colour" in codes(assess(Capture(cast)))


def test_two_faces(portrait):
    both = np.concatenate([portrait, portrait[:, ::-1]], axis=1)
    a = assess(Capture(both))
    assert "face.multiple_faces" in codes(a) and a.quality <= 10


def test_no_face_scores_zero():
    rng = np.random.default_rng(1)
    a = assess(Capture(rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)))
    assert a.quality == 0 and codes(a) == {"face.no_face"}


def test_tiny_image_cannot_be_scored():
    a = assess(Capture(np.zeros((40, 40, 3), np.uint8)))
    assert a.quality == QUALITY_FAILURE and a.failure_reason


def test_rgba_and_grey_inputs_work(portrait):
    rgba = np.dstack([portrait, np.full(portrait.shape[:2], 255, np.uint8)])
    assert assess(Capture(rgba)).measures["single_face_present"].raw == 1


def test_codes_are_namespaced_and_unique():
    assert len(set(CODES)) == len(CODES)
    assert all(c.startswith("face.") for c in CODES)
