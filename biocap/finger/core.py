"""``assess(capture)``: the fingerprint core's one entry point.

decode -> 500 ppi grey -> shared fields (once) -> measures, features, defects -> utility model
-> ISO/IEC 29794-1 quality (0-100, or 255 with a reason) and a block quality map.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from biocap.assessment import QUALITY_FAILURE, Assessment, Defect, Measure, Region, Severity
from biocap.capture import Capture
from biocap.errors import BiocapError
from biocap.io import resample_to_ppi

from . import defects as D
from .features import feature_vector
from .fields import BLOCK_PX, compute_fields
from .measures import Context, compute_measures
from .model import predict_utility
from .regions import find_regions
from .ridges import count_segments

MODALITY = "finger"
#: 2 x 2 blocks at 500 ppi: anything smaller cannot hold a scorable print.
MIN_SIDE_PX = 2 * BLOCK_PX
#: file resolutions believed for fingerprints (ISO/IEC 19794-4 scanners: 500 or 1000 ppi, some
#: 300-400 ppi mobile sensors); anything else in a header is treated as unknown.
FILE_PPI_RANGE = (300.0, 2000.0)


def trusted_ppi(capture: Capture) -> float | None:
    """The caller's ppi, or the file's when a fingerprint scanner could have written it.

    BMP/TIFF/PNG headers of fingerprint files often carry editor defaults (the shared altered
    set says 180 ppi for ~500 ppi prints); resampling by such a value would destroy the ridges.
    """
    if capture.ppi_source == "caller":
        return capture.ppi
    if capture.ppi is not None and FILE_PPI_RANGE[0] <= capture.ppi <= FILE_PPI_RANGE[1]:
        return capture.ppi
    return None


def prepare(capture: Capture) -> tuple[np.ndarray, float | None]:
    """The 500 ppi grey image ``assess`` works on, and the native ppi it trusted.

    Raises :class:`~biocap.errors.BiocapError` when resampling would break the pixel limits.
    """
    native_ppi = trusted_ppi(capture)
    if native_ppi != capture.ppi:
        capture = dataclasses.replace(capture, ppi=native_ppi, ppi_source="assumed")
    return resample_to_ppi(capture, 500.0).grey(), native_ppi


def analyse(grey: np.ndarray) -> Context:
    """Shared fields and ridge counts of a 500 ppi grey image (the expensive part, done once)."""
    fields = compute_fields(grey)
    return Context(fields, count_segments(fields))


def assess(capture: Capture, thresholds: D.DefectThresholds | None = None) -> Assessment:
    """Score one fingerprint capture. Never raises on image content; bad bytes fail in ``io``.

    ``thresholds`` come from a policy profile (``[finger.thresholds]``); defaults otherwise.
    """
    try:
        grey, native_ppi = prepare(capture)
    except BiocapError as e:  # e.g. a 300 ppi photo that would exceed the pixel limit at 500
        return Assessment(MODALITY, QUALITY_FAILURE, failure_reason=f"{e.code}: {e.message}")
    if min(grey.shape) < MIN_SIDE_PX:
        return Assessment(
            MODALITY,
            QUALITY_FAILURE,
            failure_reason=f"image smaller than {MIN_SIDE_PX} px at 500 ppi",
        )
    ctx = analyse(grey)
    measures = compute_measures(ctx)
    fg = ctx.fg
    qmap = quality_map(ctx)
    n_fg = int(fg.sum())
    likeness = measures["ridge_likeness"].raw
    t = thresholds or D.DEFAULT_THRESHOLDS
    if n_fg < t.min_foreground_blocks or likeness < t.min_ridge_likeness:
        evidence = {"foreground_blocks": float(n_fg), "ridge_likeness": likeness}
        return Assessment(
            MODALITY,
            0,
            measures=measures,
            defects=[Defect(D.NOT_A_FINGERPRINT, Severity.ERROR, evidence)],
            quality_map=qmap,
            block_px=map_block_px(native_ppi),
        )
    regions = find_regions(ctx, t)
    quality = usable_quality(predict_utility(features_of(ctx, measures)), regions)
    found = D.find_defects(
        measures,
        centre_offset=D.centre_offset(fg),
        native_ppi=native_ppi,
        regions=regions,
        t=t,
    )
    return Assessment(
        MODALITY,
        quality,
        measures=measures,
        defects=found,
        quality_map=qmap,
        block_px=map_block_px(native_ppi),
        regions=regions,
    )


def usable_quality(quality: int, regions: list[Region]) -> int:
    """The model's quality scaled by the share of the foreground outside smudged regions.

    The utility model reads whole-print statistics, in which a smear over a fifth of the print
    is diluted; the ridges under it are gone, with the minutiae a matcher would compare. Two
    FVC 2002 prints have a smudged region; the cross-fitted EDC AUC pooled over DB1/DB3/DB4
    goes from 0.0519 to 0.0516 (``training.to_quality`` applies the same scaling).
    """
    lost = sum(r.share for r in regions if r.code == D.SMUDGED_REGION)
    return round(quality * max(1.0 - lost, 0.0))


def map_block_px(native_ppi: float | None) -> float:
    """A map block's side in the capture's own pixels (the map is computed at 500 ppi; a
    display draws it on the image as decoded)."""
    return BLOCK_PX * (native_ppi or 500.0) / 500.0


def features_of(ctx: Context, measures: dict[str, Measure]) -> np.ndarray:
    """The model's input row for an analysed image (also what the training script reads)."""
    return feature_vector(ctx, measures["orientation_flow"].raw, measures["ridge_likeness"].raw)


def quality_map(ctx: Context) -> np.ndarray:
    """Per-block quality 0-100 (255 = background) from clarity, certainty and dominance.

    Shows the operator *where* the print is poor (a smudge, a dry patch, a scar), not a score
    to threshold: the utility score is the model's.
    """
    f = ctx.fields
    block = (
        np.clip((f.clarity - 0.2) / 0.7, 0, 1)
        + np.clip((f.coherence - 0.2) / 0.65, 0, 1)
        + np.clip((f.dominance - 0.2) / 0.25, 0, 1)
    ) / 3.0
    qmap = np.rint(100.0 * block).astype(np.uint8)
    qmap[~ctx.fg] = 255
    return qmap
