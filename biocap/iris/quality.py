"""The unified 0-100 iris quality: a linear utility on component scores, fitted for utility.

quality = 100 * (w0 + sum_k w_k x_k), clipped to 0-100, where x are the ISO/IEC 29794-6
component scores (0-1) and two segmentation-confidence values (how clearly the pupil edge and
the limbus were seen: a matcher with a simple segmentation fails where ours struggles too).
The prediction is each image's share of genuine comparisons that succeed (open-iris Hamming
distance <= 0.41). ``WEIGHTS`` come from ``python -m biocap.iris.tuning`` (ridge regression,
closed form, deterministic) on the shared CASIA-V1 / CASIA-Interval / MMU2 pairs; the same
module cross-fits by eye, which is the number to quote (``benchmarks/iris_accuracy.py``).
"""

from __future__ import annotations

import numpy as np

from biocap.assessment import Measure

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
EVIDENCE = ("pupil_edge_share", "limbus_edge")
FEATURES = SCORED + EVIDENCE

#: fitted by ``python -m biocap.iris.tuning`` (intercept, then FEATURES order)
WEIGHTS: tuple[float, ...] = (
    0.8033,  # intercept
    -0.08361,  # usable_iris_area
    -0.00945,  # iris_sclera_contrast
    0.1608,  # iris_pupil_contrast
    0.13825,  # pupil_boundary_circularity
    -0.27493,  # grey_scale_utilisation
    0.34868,  # iris_diameter_px
    -0.03276,  # pupil_iris_ratio
    -0.19484,  # iris_pupil_concentricity
    0.05237,  # margin_adequacy
    -0.00094,  # sharpness
    0.00238,  # motion_blur
    0.04031,  # off_axis_gaze
    -0.20269,  # pupil_edge_share
    0.22365,  # limbus_edge
)


def features(measures: dict[str, Measure], evidence: dict[str, float]) -> np.ndarray:
    """The model's input row: component scores / 100 and the segmentation evidence (0-1)."""
    x = [(measures[k].score or 0) / 100.0 for k in SCORED]
    x.append(float(evidence["pupil_edge_share"]))
    x.append(min(float(evidence["limbus_edge"]) / 10.0, 1.5))
    return np.array(x, np.float64)


def unified_quality(measures: dict[str, Measure], evidence: dict[str, float]) -> int:
    """ISO/IEC 29794-1 quality 0-100 of an image that passed the eye gate."""
    w = np.asarray(WEIGHTS)
    pred = float(w[0] + features(measures, evidence) @ w[1:])
    return int(np.clip(round(100.0 * pred), 0, 100))
