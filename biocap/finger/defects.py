"""Fingerprint defect codes: what is wrong with a print, in terms the operator can act on.

Thresholds are parameters (a frozen dataclass), set from the shared FVC / altered sets; the
operator messages live in the message catalogue (``biocap/catalogue``), keyed by the same codes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biocap.assessment import Defect, Measure, Severity

from .scars import SCARRED_LENGTH_PX

NOT_A_FINGERPRINT = "finger.not_a_fingerprint"
TOO_LIGHT = "finger.too_light"
TOO_DARK = "finger.too_dark"
WORN = "finger.worn"
SCARRED = "finger.scarred"
TOO_SMALL = "finger.too_small"
OFF_CENTRE = "finger.off_centre"
LOW_RESOLUTION = "finger.low_resolution"

CODES = (
    NOT_A_FINGERPRINT,
    TOO_LIGHT,
    TOO_DARK,
    WORN,
    SCARRED,
    TOO_SMALL,
    OFF_CENTRE,
    LOW_RESOLUTION,
)


@dataclass(frozen=True, slots=True)
class DefectThresholds:
    #: fewer foreground blocks than this (32 px at 500 ppi: ~2.6 mm^2 each) = nothing to score.
    min_foreground_blocks: int = 6
    #: share of foreground blocks that look like ridges, below which it is not a fingerprint.
    min_ridge_likeness: float = 0.13
    too_light_mean_grey: float = 220.0
    too_dark_mean_grey: float = 75.0
    #: ridge-valley modulation (grey std of the profile) below which ridges are worn or faint.
    worn_contrast: float = 9.0
    #: longest scar/cut band (px at 500 ppi), see ``scars.SCARRED_LENGTH_PX``.
    scar_length_px: float = SCARRED_LENGTH_PX
    too_small_area_mm2: float = 60.0
    #: distance of the print centre from the image centre, as a share of the image half-size.
    off_centre_share: float = 0.45
    min_native_ppi: float = 450.0


DEFAULT_THRESHOLDS = DefectThresholds()


def find_defects(
    measures: dict[str, Measure],
    *,
    centre_offset: float,
    native_ppi: float | None,
    t: DefectThresholds = DEFAULT_THRESHOLDS,
) -> list[Defect]:
    """Defects of a print that passed the fingerprint gate, most actionable first."""
    m = {k: v.raw for k, v in measures.items()}
    out: list[Defect] = []
    if native_ppi is not None and native_ppi < t.min_native_ppi:
        out.append(Defect(LOW_RESOLUTION, Severity.ERROR, {"ppi": native_ppi}))
    if m["mean_grey"] > t.too_light_mean_grey:
        out.append(Defect(TOO_LIGHT, Severity.ERROR, {"mean_grey": m["mean_grey"]}))
    elif m["mean_grey"] < t.too_dark_mean_grey:
        out.append(Defect(TOO_DARK, Severity.ERROR, {"mean_grey": m["mean_grey"]}))
    if m["ridge_valley_contrast"] < t.worn_contrast:
        out.append(
            Defect(WORN, Severity.WARNING, {"ridge_valley_contrast": m["ridge_valley_contrast"]})
        )
    if m["scar_length"] >= t.scar_length_px:
        out.append(Defect(SCARRED, Severity.WARNING, {"scar_length_px": m["scar_length"]}))
    if m["foreground_area"] < t.too_small_area_mm2:
        out.append(Defect(TOO_SMALL, Severity.ERROR, {"foreground_area": m["foreground_area"]}))
    elif centre_offset > t.off_centre_share:
        out.append(Defect(OFF_CENTRE, Severity.WARNING, {"centre_offset": centre_offset}))
    return out


def centre_offset(fg: np.ndarray) -> float:
    """Distance of the foreground centroid from the image centre, in half-image units (0-1.4)."""
    if not fg.any():
        return 0.0
    rows, cols = np.nonzero(fg)
    h, w = fg.shape
    dy = (rows.mean() + 0.5 - h / 2) / (h / 2)
    dx = (cols.mean() + 0.5 - w / 2) / (w / 2)
    return float(np.hypot(dx, dy))


def border_share(fg: np.ndarray) -> float:
    """Share of the image's edge blocks that are foreground: a print cut off by the frame."""
    if fg.shape[0] < 3 or fg.shape[1] < 3:
        return 1.0
    edge = np.concatenate([fg[0], fg[-1], fg[1:-1, 0], fg[1:-1, -1]])
    return float(edge.mean())
