"""The unified 0-100 iris quality: a non-negative linear utility on a few physical measures.

quality = 100 * (w0 + sum_k w_k x_k), clipped to 0-100. x are component scores (0-1, higher
is better by the measure's physics) of what makes a matcher fail on an eye image: the two
boundary contrasts (iris-pupil, iris-sclera), the usable iris after eyelid, eyelash and
reflection masks, focus in the iris band, gaze, how clearly each boundary stands out against
the iris texture (segmentation confidence), whether the pupil edge is round and the pupil
centred in the limbus (a boundary fitted wrong breaks both), and how much of the pupil edge
glints cover. Every weight is >= 0: a measure may help or stay out, never count backwards
(a sharper image never scores lower), which keeps the model from learning this data set's
accidents.

The prediction is each image's share of genuine comparisons that succeed, averaged over two
matchers that segment differently (the shared open-iris pairs and ``biocap.evaluation``'s),
centred within its set so the weights rank images within one camera. ``WEIGHTS`` come from
``python -m biocap.iris.tuning`` (non-negative ridge on standardised features, the penalty
chosen by cross-validation over eyes); the same module cross-fits by eye, the number to quote
(``benchmarks/iris_accuracy.py``).
"""

from __future__ import annotations

import numpy as np

from biocap.assessment import Measure

SCORED = (
    "iris_pupil_contrast",
    "iris_sclera_contrast",
    "usable_iris_area",
    "sharpness",
    "off_axis_gaze",
    "pupil_boundary_clarity",
    "limbus_boundary_clarity",
    "pupil_boundary_circularity",
    "iris_pupil_concentricity",
)
#: segmentation evidence, as 1 - share so that higher is better
EVIDENCE = ("pupil_boundary_reflections",)
FEATURES = SCORED + EVIDENCE

#: fitted by ``python -m biocap.iris.tuning`` (intercept, then FEATURES order; penalty 100,
#: chosen by the grouped inner split; 0 = the data gave that measure no positive weight)
WEIGHTS: tuple[float, ...] = (
    -1.40073,  # intercept
    0.31628,  # iris_pupil_contrast
    0.04661,  # iris_sclera_contrast
    0.0,  # usable_iris_area
    0.0,  # sharpness
    0.0,  # off_axis_gaze
    0.0,  # pupil_boundary_clarity
    0.17228,  # limbus_boundary_clarity
    0.12236,  # pupil_boundary_circularity
    0.21444,  # iris_pupil_concentricity
    1.57557,  # pupil_boundary_reflections
)


def features(measures: dict[str, Measure], evidence: dict[str, float]) -> np.ndarray:
    """The model's input row: component scores / 100, then 1 - the share of the pupil edge
    covered by glints (an LED ring over the edge breaks the boundary a segmenter fits)."""
    x = [(measures[k].score or 0) / 100.0 for k in SCORED]
    x.append(1.0 - float(np.clip(evidence["pupil_boundary_reflections"], 0.0, 1.0)))
    return np.array(x, np.float64)


def unified_quality(measures: dict[str, Measure], evidence: dict[str, float]) -> int:
    """ISO/IEC 29794-1 quality 0-100 of an image that passed the eye gate."""
    w = np.asarray(WEIGHTS)
    pred = float(w[0] + features(measures, evidence) @ w[1:])
    return int(np.clip(round(100.0 * pred), 0, 100))
