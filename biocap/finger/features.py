"""The feature vector the utility model reads: stable names, like NFIQ 2's feature ids.

Block fields are summarised over the foreground by mean, spread and percentiles (NFIQ 2 uses
10-bin histograms of the same block values); the order of ``FEATURE_NAMES`` is the model's input
order and must not change without retraining (the model file records it).
"""

from __future__ import annotations

import numpy as np

from .defects import border_share, centre_offset
from .measures import Context
from .order_stats import percentiles

_BLOCK_FIELDS = (
    "coherence",
    "clarity",
    "dominance",
    "profile_std",
    "ridge_ratio",
    "mean",
    "continuity",
)
_STATS = ("mean", "std", "p10", "p50", "p90")

FEATURE_NAMES: tuple[str, ...] = (
    *(f"{f}_{s}" for f in _BLOCK_FIELDS for s in _STATS),
    "period_p50",
    "period_iqr",
    "foreground_share",
    "foreground_blocks",
    "orientation_flow_deg",
    "ridge_likeness",
    "good_block_share",
    "ridge_segments",
    "valley_segments",
    "minutiae_estimate",
    "specks",
    "minutiae_per_block",
    "centre_offset",
    "border_share",
)


def feature_vector(ctx: Context, orientation_flow_deg: float, ridge_likeness: float) -> np.ndarray:
    """Features of one image, ``float32 (len(FEATURE_NAMES),)``, in ``FEATURE_NAMES`` order.

    An empty foreground gives zeros for the block statistics (the model then sees "nothing").
    """
    f, r, fg = ctx.fields, ctx.ridges, ctx.fg
    n_fg = int(fg.sum())
    vals: list[float] = []
    if n_fg:
        v = np.stack([getattr(f, name)[fg] for name in _BLOCK_FIELDS])  # one pass, not per field
        p10, p50, p90 = percentiles(v, (10, 50, 90))
        stats = np.stack([v.mean(1), v.std(1), p10, p50, p90], axis=1)
        vals += stats.ravel().tolist()
    else:
        vals += [0.0] * (len(_BLOCK_FIELDS) * len(_STATS))
    if n_fg:
        per = f.period_px[fg]
        q25, q50, q75 = percentiles(per, (25, 50, 75))
        good = float(((f.coherence > 0.6) & (f.clarity > 0.5) & fg).sum() / n_fg)
    else:
        q25 = q50 = q75 = good = 0.0
    vals += [
        float(q50),
        float(q75 - q25),
        n_fg / fg.size,
        float(n_fg),
        0.0 if not np.isfinite(orientation_flow_deg) else orientation_flow_deg,
        ridge_likeness,
        good,
        float(r.ridge_segments),
        float(r.valley_segments),
        float(r.minutiae_estimate),
        float(r.specks),
        r.minutiae_estimate / max(n_fg, 1),
        centre_offset(fg),
        border_share(fg),
    ]
    return np.asarray(vals, dtype=np.float32)
