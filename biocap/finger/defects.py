"""Fingerprint defect codes: what is wrong with a print, in terms the operator can act on.

Thresholds are parameters (a frozen dataclass), set from the shared FVC / altered sets; the
operator messages live in the message catalogue (``biocap/catalogue``), keyed by the same codes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from biocap.assessment import Defect, Measure, Region, Severity

from .scars import SCARRED_LENGTH_PX

#: one 32 px block at 500 ppi is 1.6256 mm on a side.
BLOCK_MM2 = (32 * 25.4 / 500.0) ** 2

NOT_A_FINGERPRINT = "finger.not_a_fingerprint"
TOO_LIGHT = "finger.too_light"
TOO_DARK = "finger.too_dark"
WORN = "finger.worn"
SCARRED = "finger.scarred"
TOO_SMALL = "finger.too_small"
OFF_CENTRE = "finger.off_centre"
LOW_RESOLUTION = "finger.low_resolution"
#: local defects found on the block quality map (:mod:`biocap.finger.regions`); ``finger.worn``
#: is raised both for the whole print and for a region.
SMUDGED_REGION = "finger.smudged_region"
DRY_BROKEN = "finger.dry_broken"

CODES = (
    NOT_A_FINGERPRINT,
    TOO_LIGHT,
    TOO_DARK,
    WORN,
    SCARRED,
    TOO_SMALL,
    OFF_CENTRE,
    LOW_RESOLUTION,
    SMUDGED_REGION,
    DRY_BROKEN,
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
    # --- local defects (biocap.finger.regions) ----------------------------------------------
    #: a block is flat when its ridge-valley modulation is below this share of the print's
    #: typical (80th percentile) modulation: half the ridge depth is gone ...
    region_contrast_share: float = 0.5
    #: ... and its grey std below this share of the print's typical std (dry dots stay high).
    region_flat_share: float = 0.6
    #: a flat grey block with orientation certainty below this lost its ridge flow: smudged; at
    #: or above it, worn (shallow ridges that keep their direction). FVC blocks: median 0.57-0.74.
    smudge_coherence: float = 0.6
    #: a light block with at least this share of its ridge pixels in short fragments has dry,
    #: broken ridges (most of the ridge is dots) ...
    dry_fragment_share: float = 0.5
    #: ... where light is a block mean at least this grey (a quarter ink or less on a white
    #: platen); a smear is ink, so light blocks are never smudged.
    dry_mean_grey: float = 190.0
    #: smallest region reported, mm^2 at 500 ppi (12 blocks of 2.64 mm^2): the smallest area
    #: from which at most 1 % of the FVC 2002 prints are held up by a region (an error, or a
    #: smudge), the same in all 30 leave-one-finger-out folds (benchmarks/finger_regions.py).
    region_min_area_mm2: float = 31.7


DEFAULT_THRESHOLDS = DefectThresholds()


def find_defects(
    measures: dict[str, Measure],
    *,
    centre_offset: float,
    native_ppi: float | None,
    regions: Sequence[Region] = (),
    t: DefectThresholds = DEFAULT_THRESHOLDS,
) -> list[Defect]:
    """Defects of a print that passed the fingerprint gate, most actionable first.

    ``regions`` (:func:`biocap.finger.regions.find_regions`) give one defect per code: the
    most severe region's severity and place, the regions' total share of the foreground.
    """
    m = {k: v.raw for k, v in measures.items()}
    out: list[Defect] = []
    if native_ppi is not None and native_ppi < t.min_native_ppi:
        out.append(Defect(LOW_RESOLUTION, Severity.ERROR, {"ppi": native_ppi}))
    if m["mean_grey"] > t.too_light_mean_grey:
        out.append(Defect(TOO_LIGHT, Severity.ERROR, {"mean_grey": m["mean_grey"]}))
    elif m["mean_grey"] < t.too_dark_mean_grey:
        out.append(Defect(TOO_DARK, Severity.ERROR, {"mean_grey": m["mean_grey"]}))
    local = {code: region_defect(code, regions) for code in (SMUDGED_REGION, DRY_BROKEN, WORN)}
    out += [d for code, d in local.items() if d is not None and code != WORN]
    worn = local[WORN]
    if m["ridge_valley_contrast"] < t.worn_contrast:  # the whole print: place None
        severity = worn.severity if worn is not None else Severity.WARNING
        evidence = {"ridge_valley_contrast": m["ridge_valley_contrast"]}
        worn = Defect(WORN, severity, evidence | (worn.evidence if worn else {}))
    if worn is not None:
        out.append(worn)
    if m["scar_length"] >= t.scar_length_px:
        out.append(Defect(SCARRED, Severity.WARNING, {"scar_length_px": m["scar_length"]}))
    if m["foreground_area"] < t.too_small_area_mm2:
        out.append(Defect(TOO_SMALL, Severity.ERROR, {"foreground_area": m["foreground_area"]}))
    elif centre_offset > t.off_centre_share:
        out.append(Defect(OFF_CENTRE, Severity.WARNING, {"centre_offset": centre_offset}))
    return out


def region_defect(code: str, regions: Sequence[Region]) -> Defect | None:
    """One defect for every region of ``code``: severity and place of the worst (the first
    error, else the largest), evidence = the regions' count, share and area."""
    mine = [r for r in regions if r.code == code]
    if not mine:
        return None
    worst = max(mine, key=lambda r: (r.severity is Severity.ERROR, r.share))
    evidence = {
        "regions": float(len(mine)),
        "share": sum(r.share for r in mine),
        "area_mm2": sum(float(r.blocks.sum()) for r in mine) * BLOCK_MM2,
    }
    return Defect(code, worst.severity, evidence, worst.place)


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
