"""The unified 0-100 iris quality: a linear utility on component scores, fitted for utility.

quality = 100 * (w0 + sum_k w_k x_k), clipped to 0-100, where x are the ISO/IEC 29794-6
component scores (0-1) and segmentation-confidence values (how clearly the pupil edge, the
iris ring and the limbus were seen, and how much of the pupil edge glints cover: a matcher
with a simple segmentation fails where the edges it fits are weak or broken). The prediction
is each image's share of genuine comparisons that succeed (open-iris Hamming distance <=
0.41), centred within its set, so the weights rank images within one camera rather than tell
the sets apart. ``WEIGHTS`` come from ``python -m biocap.iris.tuning`` (ridge regression on
standardised features, closed form, deterministic) on the shared CASIA-V1 / CASIA-Interval /
MMU2 pairs; the same module cross-fits by eye, which is the number to quote
(``benchmarks/iris_accuracy.py``)."""

from __future__ import annotations

import numpy as np

from biocap.assessment import Measure

from .defects import ring_score

SCORED = (
    "usable_iris_area",
    "iris_sclera_contrast",
    "iris_pupil_contrast",
    "pupil_boundary_circularity",
    "grey_scale_utilisation",
    "iris_diameter_px",
    "pupil_iris_ratio",
    "iris_pupil_concentricity",
    "margin_adequacy",
    "sharpness",
    "motion_blur",
    "off_axis_gaze",
)
EVIDENCE = (
    "pupil_edge_share",
    "limbus_edge",
    "ring_score",
    "pupil_contrast",
    "limbus_edge_min_side",
    "ring_spread",
    "ring_floor",
    "pupil_boundary_reflections",
)
FEATURES = SCORED + EVIDENCE

#: fitted by ``python -m biocap.iris.tuning`` (intercept, then FEATURES order)
WEIGHTS: tuple[float, ...] = (
    -0.88679,  # intercept
    -0.06126,  # usable_iris_area
    -0.01494,  # iris_sclera_contrast
    0.25146,  # iris_pupil_contrast
    0.09996,  # pupil_boundary_circularity
    -0.23234,  # grey_scale_utilisation
    0.07263,  # iris_diameter_px
    0.66881,  # pupil_iris_ratio
    0.1217,  # iris_pupil_concentricity
    -0.01222,  # margin_adequacy
    -0.0813,  # sharpness
    0.0222,  # motion_blur
    -0.00847,  # off_axis_gaze
    0.39713,  # pupil_edge_share
    -0.02918,  # limbus_edge
    -0.02408,  # ring_score
    -0.03901,  # pupil_contrast
    0.76737,  # limbus_edge_min_side
    0.95041,  # ring_spread
    0.32692,  # ring_floor
    -2.79075,  # pupil_boundary_reflections
)


def features(measures: dict[str, Measure], evidence: dict[str, float]) -> np.ndarray:
    """The model's input row: component scores / 100 and the segmentation evidence, each
    clipped to about 0-1 (how clearly the pupil edge, the iris ring and the limbus were seen:
    a segmentation that struggles predicts a matcher that fails)."""
    x = [(measures[k].score or 0) / 100.0 for k in SCORED]
    e = {k: float(v) for k, v in evidence.items()}
    x += [
        e["pupil_edge_share"],
        min(e["limbus_edge"] / 10.0, 1.5),
        float(np.clip(ring_score(e), -1.0, 1.0)),
        float(np.clip(e["pupil_contrast"] / 100.0, 0.0, 1.5)),
        float(np.clip(e["limbus_edge_min_side"] / 10.0, -0.5, 1.0)),
        float(np.clip(e["ring_spread"], 0.0, 2.0)),
        float(np.clip(e["ring_floor"], -1.0, 1.5)),
        float(np.clip(e["pupil_boundary_reflections"], 0.0, 1.0)),
    ]
    return np.array(x, np.float64)


def unified_quality(measures: dict[str, Measure], evidence: dict[str, float]) -> int:
    """ISO/IEC 29794-1 quality 0-100 of an image that passed the eye gate."""
    w = np.asarray(WEIGHTS)
    pred = float(w[0] + features(measures, evidence) @ w[1:])
    return int(np.clip(round(100.0 * pred), 0, 100))
