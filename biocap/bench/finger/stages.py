"""``biocap.finger.assess`` split into its stages, timed on the same capture right after it.

The split follows ``assess``'s path for a print that reaches the model; captures that do not
(quality 255, or 0 with ``finger.not_a_fingerprint``) give no stage sample. What ``assess`` does
beyond these stages (defect rules, the block quality map) is the generic "rest".

Segmentation (:func:`biocap.finger.fields.segment`) runs inside ``compute_fields``; it is timed
by calling it again on the block mean and std that ``compute_fields`` kept (the same call on the
same arrays), and "fields" is ``compute_fields`` minus that, so the stages still add up. The
block statistics it reads are counted in "fields", where they are shared with other fields.
"""

from __future__ import annotations

import time

from biocap.assessment import QUALITY_FAILURE, Assessment
from biocap.capture import Capture
from biocap.finger.core import features_of, prepare
from biocap.finger.defects import NOT_A_FINGERPRINT
from biocap.finger.fields import compute_fields, segment
from biocap.finger.measures import Context, compute_measures
from biocap.finger.model import predict_utility
from biocap.finger.regions import find_regions
from biocap.finger.ridges import count_segments

#: in the order ``assess`` runs them; "decode" before and "rest" after are added generically.
STAGES = (
    "prepare",  # resolution check, resample to 500 ppi, grey
    "segmentation",
    "fields",  # orientation, ridge-valley profiles, spectra, clarity (segmentation excluded)
    "ridge_segments",
    "measures",
    "regions",  # local defects on the block grid (biocap.finger.regions)
    "features",
    "model",
)


def stage_times(capture: Capture, assessment: Assessment) -> dict[str, float] | None:
    """Milliseconds per stage of ``assess(capture)``, or None when it did not reach the model."""
    if assessment.quality == QUALITY_FAILURE or assessment.has(NOT_A_FINGERPRINT):
        return None
    ns = time.perf_counter_ns
    t0 = ns()
    grey, _ = prepare(capture)
    t1 = ns()
    fields = compute_fields(grey)
    t2 = ns()
    segment(fields.mean, fields.std)
    t3 = ns()
    ctx = Context(fields, count_segments(fields))
    t4 = ns()
    measures = compute_measures(ctx)
    t5 = ns()
    find_regions(ctx)
    t6 = ns()
    x = features_of(ctx, measures)
    t7 = ns()
    predict_utility(x)
    t8 = ns()
    seg = t3 - t2
    spans = (t1 - t0, seg, t2 - t1 - seg, t4 - t3, t5 - t4, t6 - t5, t7 - t6, t8 - t7)
    return {name: span / 1e6 for name, span in zip(STAGES, spans, strict=True)}
