"""``assess(capture)``: the face core's one entry point (ICAO 9303 / ISO/IEC 29794-5).

pixels -> detection (128 px) -> 468-point mesh (192 px crop) -> iris (two 64 px crops) -> shared
aligned crop and masks -> measures -> defects -> unified 0-100 quality, plus overlay geometry.
"""

from __future__ import annotations

import numpy as np

from biocap.assessment import QUALITY_FAILURE, Assessment, Defect, Measure, Severity
from biocap.capture import Capture

from . import defects as D
from .context import FACE_OVAL, FaceContext
from .measures import MEASURES, compute_measures

MODALITY = "face"
#: below this the detector's 128 px input holds no usable face.
MIN_SIDE_PX = 64
#: components of the unified quality and their weights (a weighted geometric mean of the
#: component scores: one bad component pulls quality down, as a matcher's error would).
QUALITY_WEIGHTS = {
    "inter_eye_distance": 1.0,
    "sharpness": 2.0,
    "head_pose_yaw": 1.0,
    "head_pose_pitch": 0.5,
    "head_pose_roll": 0.5,
    "eyes_open": 1.0,
    "eyes_visible": 1.0,
    "mouth_closed": 0.5,
    "mouth_occlusion_prevention": 0.5,
    "under_exposure_prevention": 1.0,
    "over_exposure_prevention": 1.0,
    "illumination_uniformity": 1.0,
    "compression_artifacts": 0.5,
    "noise": 0.5,
}
#: landmark subset for the overlay: face oval, brows, eyes, nose, lips (not all 468).
OVERLAY_POINTS = np.unique(
    np.concatenate(
        [FACE_OVAL, [70, 63, 105, 66, 107, 336, 296, 334, 293, 300, 1, 4, 168, 6, 197, 195, 5],
         [61, 291, 0, 17, 13, 14, 78, 308, 33, 133, 159, 145, 263, 362, 386, 374]]
    )
)  # fmt: skip


def assess(capture: Capture, thresholds: D.DefectThresholds | None = None) -> Assessment:
    """Score one face photo. Never raises on image content; bad bytes fail in ``biocap.io``.

    ``thresholds`` come from a policy profile (``[face.thresholds]``); defaults otherwise.
    """
    t = thresholds or D.DEFAULT_THRESHOLDS
    px = capture.pixels
    if px.ndim == 3 and px.shape[2] == 4:
        px = px[..., :3]
    if min(px.shape[:2]) < MIN_SIDE_PX:
        return Assessment(
            MODALITY, QUALITY_FAILURE, failure_reason=f"image smaller than {MIN_SIDE_PX} px"
        )
    ctx = FaceContext.build(np.ascontiguousarray(px))
    n = len(ctx.faces)
    if n == 0:
        m = {"single_face_present": Measure("single_face_present", 0.0, 0, "count")}
        return Assessment(MODALITY, 0, m, [Defect(D.NO_FACE, Severity.ERROR, {"faces": 0.0})])
    measures = compute_measures(ctx)
    found = D.find_defects(measures, t)
    if n > 1:
        found.insert(0, Defect(D.MULTIPLE_FACES, Severity.ERROR, {"faces": float(n)}))
    quality = unified_quality(measures)
    if n > 1:
        quality = min(quality, 10)
    return Assessment(MODALITY, quality, measures, found, overlay=overlay(ctx))


def unified_quality(measures: dict[str, Measure]) -> int:
    """Weighted geometric mean of component scores (each floored at 1 so one zero is not -inf)."""
    logs, total = 0.0, 0.0
    for name, w in QUALITY_WEIGHTS.items():
        s = measures[name].score
        if s is None:
            s = 0
        logs += w * np.log(max(s, 1) / 100.0)
        total += w
    return round(100.0 * float(np.exp(logs / total)))


def overlay(ctx: FaceContext) -> dict[str, object]:
    """JSON-able geometry in image pixels for an operator page to draw."""

    def r(a: np.ndarray) -> list:
        return np.round(a, 1).tolist()

    eyes = []
    for eye in (ctx.eye_left_img, ctx.eye_right_img):
        assert eye is not None
        eyes.append(
            {"iris": [*r(eye.centre), round(eye.iris_radius, 1)], "lids": r(eye.contour[:16, :2])}
        )
    return {
        "box": [round(v, 1) for v in ctx.faces[0].box],
        "faces": [[round(v, 1) for v in f.box] for f in ctx.faces],
        "landmarks": r(ctx.points[OVERLAY_POINTS, :2]),
        "eyes": eyes,
        "crown": r(ctx.crown),
        "chin": r(ctx.points[152, :2]),
    }


__all__ = ["MEASURES", "assess", "unified_quality"]
