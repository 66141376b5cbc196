"""Detection fallbacks (tiles, weak lone faces), the batched iris model, the smile check."""

from __future__ import annotations

import cv2
import numpy as np

from biocap.assessment import Measure
from biocap.capture import Capture
from biocap.face import assess
from biocap.face.context import FaceContext, halve_to
from biocap.face.defects import SMILING, find_defects
from biocap.face.detect import detect
from biocap.face.landmarks import IRIS_MODEL, IRIS_PX, eye_square
from biocap.face.measures import MEASURES
from biocap.models import onnx_session


def codes(a) -> set[str]:
    return {d.code for d in a.defects}


def test_halving_keeps_the_detector_input_and_reports_the_factor():
    img = np.zeros((800, 600, 3), np.uint8)
    small, k = halve_to(img, 160)
    assert (small.shape[:2], k) == ((200, 150), 4)
    assert halve_to(img[:300, :200], 160)[1] == 1


def _two_heads(width: int, head_px: int) -> np.ndarray:
    from skimage import data

    head = data.astronaut()[20:260, 110:320]  # the head with a little margin
    f = cv2.resize(head, (head_px, head_px * 240 // 210), interpolation=cv2.INTER_AREA)
    h = f.shape[0]
    canvas = np.full((1200, width, 3), 90, np.uint8)
    canvas[300 : 300 + h, width // 8 : width // 8 + head_px] = f
    canvas[350 : 350 + h, width * 5 // 8 : width * 5 // 8 + head_px] = f[:, ::-1]
    return canvas


def test_group_shot_with_small_faces_finds_both_on_tiles():
    """Two heads each 15 % of a wide frame: the whole-image pass alone finds at most one."""
    canvas = _two_heads(2000, 300)
    small, _ = halve_to(canvas, 160)
    assert len(detect(small)) < 2
    assert "face.multiple_faces" in codes(assess(Capture(canvas)))


def test_one_small_face_is_not_doubled_by_tiles():
    canvas = _two_heads(2000, 300)
    canvas[:, 1000:] = 90  # keep the left head only
    assert len(FaceContext.build(canvas).faces) == 1


def test_iris_model_batch_of_two_matches_two_single_runs(portrait):
    ctx = FaceContext.build(portrait)
    p = ctx.points
    crops = np.stack(
        [eye_square(p[33], p[133]).crop(portrait, IRIS_PX), eye_square(p[362], p[263]).crop(
            portrait, IRIS_PX)[:, ::-1]]
    ).astype(np.float32) / 255.0  # fmt: skip
    sess = onnx_session(IRIS_MODEL)
    name = sess.get_inputs()[0].name
    both = sess.run(None, {name: crops})
    for k in range(2):
        one = sess.run(None, {name: crops[k : k + 1]})
        for b, o in zip(both, one, strict=True):
            np.testing.assert_allclose(b[k], o[0], atol=1e-4)


def test_the_astronauts_smile_is_flagged(portrait):
    a = assess(Capture(portrait))
    assert a.measures["expression_neutrality"].raw > 0.06
    assert SMILING in codes(a)


def test_smile_threshold_is_a_policy_knob(portrait):
    base = {name: Measure(name, 0.0, 100, spec.unit) for name, (spec, _) in MEASURES.items()}
    base |= {
        "eyes_visible": Measure("eyes_visible", 1.0, 100, ""),
        "mouth_occlusion_prevention": Measure("mouth_occlusion_prevention", 1.0, 100, ""),
        "eye_open_right": Measure("eye_open_right", 0.55, 100, ""),
        "eye_open_left": Measure("eye_open_left", 0.55, 100, ""),
        "inter_eye_distance": Measure("inter_eye_distance", 100.0, 100, "px"),
        "head_size": Measure("head_size", 0.7, 100, ""),
        "luminance_mean": Measure("luminance_mean", 0.5, 100, ""),
        "sharpness": Measure("sharpness", 0.05, 100, ""),
        "dynamic_range": Measure("dynamic_range", 150.0, 100, "grey"),
        "colour_saturation": Measure("colour_saturation", 10.0, 100, "Lab"),
        "compression_artifacts": Measure("compression_artifacts", 1.0, 100, "ratio"),
        **{
            f"{s}_crop": Measure(f"{s}_crop", 1.0, 100, "IED")
            for s in ("leftward", "rightward", "upward", "downward")
        },
    }
    assert find_defects(base) == []
    smile = base | {"expression_neutrality": Measure("expression_neutrality", 0.1, 20, "")}
    assert [d.code for d in find_defects(smile)] == [SMILING]
