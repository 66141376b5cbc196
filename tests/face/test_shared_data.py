"""Defect detection on the shared labelled face sets (skips when ../shared/data is absent).

Thresholds were checked on these images (no held-out set): these tests guard regressions.
"""

from __future__ import annotations

import pytest

from biocap.face import DefectThresholds, assess
from biocap.io import read

YALE = DefectThresholds(min_ied_px=40.0, require_colour=False)


def _codes(path, t=None) -> set[str]:
    return {d.code for d in assess(read(path), t).defects}


@pytest.mark.shared_data
def test_yale_closed_eyes_and_side_light(shared_data):
    yale = shared_data / "face" / "yalefaces"
    eyes = [
        _codes(p, YALE) for p in sorted(yale.glob("*.sleepy.png")) + sorted(yale.glob("*.wink.png"))
    ]
    light = [_codes(p, YALE) for p in sorted(yale.glob("*light.png")) if "center" not in p.name]
    assert len(eyes) == 16 and len(light) == 16
    assert sum("face.eyes_closed" in c for c in eyes) >= 15
    sides = {"face.uneven_light_left_dark", "face.uneven_light_right_dark"}
    assert sum(bool(c & sides) for c in light) >= 15


@pytest.mark.shared_data
@pytest.mark.parametrize(
    ("variant", "code"),
    [
        ("gauss_blur", "face.blurred"),
        ("motion_blur", "face.blurred"),
        ("underexposed", "face.too_dark"),
        ("overexposed", "face.too_bright"),
        ("occl_eyes", "face.eyes_occluded"),
        ("occl_mouth", "face.mouth_occluded"),
        ("crop_face", "face.cropped"),
        ("lowres_ied30", "face.too_small"),
        ("jpeg_q5", "face.compression_artefacts"),
    ],
)
def test_synthetic_defects_are_flagged_on_every_base(shared_data, variant, code):
    for base in ("astronaut", "obama", "img11", "img32"):
        path = shared_data / "face" / "synth_defects" / f"{base}__{variant}.png"
        assert code in _codes(path), f"{path.name}"


@pytest.mark.shared_data
def test_two_face_photos(shared_data):
    for name in ("deepface/couple.jpg", "face_recognition/examples__two_people.jpg"):
        assert "face.multiple_faces" in _codes(shared_data / "face" / name)
