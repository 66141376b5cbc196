"""Catalogue entries, profile overrides, the token image and the model files."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from biocap import catalogue
from biocap.capture import Capture
from biocap.face import CODES, assess, token_image
from biocap.face.detect import anchors
from biocap.face.token import EYE_Y_PER_WIDTH, IED_PER_WIDTH, NoSingleFaceError
from biocap.models import model_path
from biocap.policy import load_profile

from .conftest import rotate


@pytest.mark.parametrize("code", CODES)
def test_every_code_has_an_operator_message(code):
    entry = catalogue.lookup(code)
    assert entry["message"] != code and entry["action"]


def test_child_profile_relaxes_expression_and_strict_tightens_resolution():
    child, strict = load_profile("child"), load_profile("strict")
    assert child.thresholds("face").max_mouth_open > 0.12
    assert "face.mouth_open" in child.rules("face").ignore
    assert strict.thresholds("face").min_ied_px == 90


@pytest.mark.parametrize("name", ["face_detection_short_range.onnx", "face_landmark.onnx",
                                  "face_iris_landmark.onnx",
                                  "face_selfie_segmentation.onnx"])  # fmt: skip
def test_model_files_match_the_manifest(name):
    assert model_path(name).is_file()


def test_detector_has_mediapipe_anchor_layout():
    a = anchors()
    assert a.shape == (896, 2) and a.min() > 0 and a.max() < 1


@pytest.mark.parametrize("fmt", ["png", "jpeg"])
def test_token_image_puts_the_eyes_on_the_token_line(portrait, fmt):
    data = token_image(Capture(rotate(portrait, 10)), fmt=fmt, width=480)
    img = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    assert img.shape == (640, 480, 3)  # 3:4
    a = assess(Capture(img))
    (lx, ly, _), (rx, ry, _) = (e["iris"] for e in a.overlay["eyes"])
    assert abs(a.measures["head_pose_roll"].raw) < 2.5  # roll undone
    assert (ly + ry) / 2 == pytest.approx(EYE_Y_PER_WIDTH * 480, abs=8)
    assert (lx + rx) / 2 == pytest.approx(240, abs=8)
    assert np.hypot(rx - lx, ry - ly) == pytest.approx(IED_PER_WIDTH * 480, rel=0.08)


def test_token_image_needs_one_face():
    with pytest.raises(NoSingleFaceError):
        token_image(Capture(np.full((300, 300, 3), 128, np.uint8)))
