"""``assess(capture)``: the iris core's one entry point.

grey -> working image (<= 320 px wide) -> pupil and limbus circles -> rubber sheet with eyelid,
eyelash and reflection masks -> ISO/IEC 29794-6 measures -> eye gate, defects and the unified
quality (0-100, or 255 with a reason).
"""

from __future__ import annotations

import numpy as np

from biocap.assessment import QUALITY_FAILURE, Assessment, Defect, Severity
from biocap.capture import Capture

from . import defects as D
from .gate import chroma, ridge_periodicity, saturated_share
from .masks import eyelid_curves, iris_sheet
from .measures import Context, compute_measures
from .quality import unified_quality
from .segment import pupil_boundary_reflections, segment

MODALITY = "iris"
#: smaller than this, no eye image can hold a measurable iris (ISO: >= 150 px diameter wanted)
MIN_SIDE_PX = 48


def analyse(grey: np.ndarray) -> Context:
    """Segmentation and rubber sheet of a grey image (the expensive part, done once)."""
    seg = segment(grey)
    return Context(seg, iris_sheet(seg), (int(grey.shape[0]), int(grey.shape[1])))


def eye_evidence(ctx: Context, pixels: np.ndarray | None = None) -> dict[str, float]:
    """What the eye gate reads (``defects.not_an_eye``); ``pixels`` (the capture's, grey or
    RGB) give the chroma, 0 when omitted."""
    s = ctx.seg
    return {
        "pupil_edge_share": s.pupil_edge_share,
        "pupil_contrast": s.pupil_contrast,
        "limbus_edge": s.limbus_edge,
        "limbus_edge_min_side": min(s.limbus_edge_sides),
        "iris_radius_px": s.iris.r * ctx.k,
        "pupil_iris_ratio": s.pupil.r / max(s.iris.r, 1e-6),
        "ring_floor": s.ring.floor,
        "ring_spread": s.ring.spread,
        "ring_range": s.ring.range,
        "ridge_periodicity": ridge_periodicity(s.work),
        "saturated_share": saturated_share(s.work),
        "chroma": 0.0 if pixels is None else chroma(pixels),
        "pupil_boundary_reflections": pupil_boundary_reflections(s),
    }


def overlay(ctx: Context) -> dict[str, object]:
    """Geometry for an operator page, in input pixels: circles [x, y, r] and eyelid polylines."""
    k = ctx.k
    lids = eyelid_curves(ctx.seg, ctx.sheet)
    return {
        "pupil": ctx.seg.pupil.scaled(k).as_list(),
        "iris": ctx.seg.iris.scaled(k).as_list(),
        "eyelids": {
            name: [[round(x * k, 1), round(y * k, 1)] for x, y in pts] for name, pts in lids.items()
        },
    }


def assess(capture: Capture, thresholds: D.DefectThresholds | None = None) -> Assessment:
    """Score one eye image. Never raises on image content; bad bytes fail in ``io``.

    ``thresholds`` come from a policy profile (``[iris.thresholds]``); defaults otherwise.
    """
    grey = capture.grey()
    if min(grey.shape) < MIN_SIDE_PX:
        return Assessment(
            MODALITY, QUALITY_FAILURE, failure_reason=f"image smaller than {MIN_SIDE_PX} px"
        )
    return assess_analysed(capture, analyse(grey), thresholds)


def assess_analysed(
    capture: Capture, ctx: Context, thresholds: D.DefectThresholds | None = None
) -> Assessment:
    """``assess`` from an :func:`analyse` already made (evaluation reuses the segmentation)."""
    t = thresholds or D.DEFAULT_THRESHOLDS
    measures = compute_measures(ctx)
    geometry = overlay(ctx)
    evidence = eye_evidence(ctx, capture.pixels)
    if D.not_an_eye(evidence, t):
        return Assessment(
            MODALITY,
            0,
            measures=measures,
            defects=[Defect(D.NOT_AN_EYE, Severity.ERROR, evidence)],
            overlay=geometry,
        )
    reflection = 100.0 * ctx.sheet.share(ctx.sheet.reflection)
    return Assessment(
        MODALITY,
        unified_quality(measures, evidence),
        measures=measures,
        defects=D.find_defects(measures, reflection, t),
        overlay=geometry,
    )
