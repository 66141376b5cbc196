"""Image-level fingerprint measures, named as NFIQ 2 / ISO/IEC 29794-4 name them.

Every measure reads the shared :class:`~biocap.finger.fields.Fields` (computed once) and returns
a raw value in its own unit; ``MEASURES`` is the registry the CLI, the API and the docs list from,
with the raw range that maps linearly to the 0-100 component score.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from biocap.assessment import Measure, MeasureSpec

from .fields import PERIOD_MAX_PX, Fields
from .order_stats import median
from .ridges import RidgeCounts
from .scars import scar_measure


@dataclass(frozen=True, slots=True)
class Context:
    """What measures read: the block fields and the ridge segment counts of one image."""

    fields: Fields
    ridges: RidgeCounts

    @property
    def fg(self) -> np.ndarray:
        return self.fields.foreground


def _fg_mean(ctx: Context, a: np.ndarray) -> float:
    return float(a[ctx.fg].mean()) if ctx.fg.any() else float("nan")


def orientation_certainty(ctx: Context) -> float:
    """OCL: mean structure-tensor coherence over foreground blocks (1 = one clear direction)."""
    return _fg_mean(ctx, ctx.fields.coherence)


def local_clarity(ctx: Context) -> float:
    """LCS: 1 - (share of dark pixels in valleys + share of light pixels on ridges)."""
    return _fg_mean(ctx, ctx.fields.clarity)


def frequency_domain_analysis(ctx: Context) -> float:
    """FDA: dominance of the strongest frequency in the ridge-valley profile."""
    return _fg_mean(ctx, ctx.fields.dominance)


def ridge_valley_uniformity(ctx: Context) -> float:
    """RVU: std dev of the ridge/valley width ratio over foreground blocks (lower is better)."""
    return float(ctx.fields.ridge_ratio[ctx.fg].std()) if ctx.fg.any() else float("nan")


def orientation_flow(ctx: Context) -> float:
    """OF: mean angle (deg) between a foreground block's ridge direction and its 4-neighbours'.

    Smooth ridge flow gives a few degrees; scars, cuts and noise give large jumps.
    """
    if not ctx.fg.any():
        return float("nan")
    z = np.exp(2j * ctx.fields.orientation)  # doubled angle: 0 and 180 deg are one direction
    fg = ctx.fg
    jumps = [
        np.abs(np.angle(z[1:] * np.conj(z[:-1])))[fg[1:] & fg[:-1]],
        np.abs(np.angle(z[:, 1:] * np.conj(z[:, :-1])))[fg[:, 1:] & fg[:, :-1]],
    ]
    d = np.concatenate(jumps)
    return float(np.degrees(d.mean() / 2.0)) if d.size else float("nan")


def ridge_period(ctx: Context) -> float:
    """Median ridge period (px at 500 ppi) over foreground blocks: ISO 29794-4 ridge frequency."""
    return median(ctx.fields.period_px[ctx.fg]) if ctx.fg.any() else float("nan")


def ridge_valley_contrast(ctx: Context) -> float:
    """Median ridge-valley modulation (grey levels, std dev of the profile) in the foreground.

    Low for worn, faint or wet prints even when the ridge flow is still visible.
    """
    return median(ctx.fields.profile_std[ctx.fg]) if ctx.fg.any() else 0.0


def mean_grey(ctx: Context) -> float:
    """Mu: typical grey level of the foreground (255 = white), as the median of block means.

    NFIQ 2's ImgProcROIArea_Mean averages every ROI pixel; the median over blocks is not pulled
    towards the platen by the ring of edge blocks, which decides too light / too dark.
    """
    return median(ctx.fields.mean[ctx.fg]) if ctx.fg.any() else float("nan")


def foreground_area(ctx: Context) -> float:
    """Foreground area in mm^2 at 500 ppi (one 32 px block = 2.62 mm^2)."""
    b_mm = ctx.fields.block_px * 25.4 / 500.0
    return float(ctx.fg.sum() * b_mm * b_mm)


def ridge_likeness(ctx: Context) -> float:
    """Share of foreground blocks that are friction-ridge blocks of one connected ridge area.

    A ridge block has the strongest non-DC frequency of its ridge-valley profile in the ridge
    band (period 4-15 px at 500 ppi) and some direction (coherence > 0.15; noise has ~0.08).
    It is supported when at least 3 of its 8 neighbours are ridge blocks whose mean period is
    within 2 px of its own (ridge spacing changes smoothly across a finger, photo texture does
    not), and only supported blocks of the largest area (dilated by a block to bridge gaps)
    count: a finger is one area, textures in a photo are scattered. Measured on the shared
    sets: every FVC 2002 print >= 0.179, every face, iris and photo <= 0.093, noise 0.
    """
    f, fg = ctx.fields, ctx.fg
    ridge = (f.band_peak >= 0.999) & (f.period_px < PERIOD_MAX_PX - 1.0) & (f.coherence > 0.15)
    ridge &= fg
    ring = np.ones((3, 3), np.float32)
    ring[1, 1] = 0.0
    r = ridge.astype(np.float32)
    n_ridge = cv2.filter2D(r, -1, ring, borderType=cv2.BORDER_CONSTANT)
    period_sum = cv2.filter2D(r * f.period_px, -1, ring, borderType=cv2.BORDER_CONSTANT)
    agree = np.abs(f.period_px - period_sum / np.maximum(n_ridge, 1.0)) < 2.0
    supported = ridge & (n_ridge >= 3) & agree
    if not supported.any():
        return 0.0
    area = cv2.dilate(supported.astype(np.uint8), np.ones((3, 3), np.uint8)) & fg.view(np.uint8)
    n, labels, stats, _ = cv2.connectedComponentsWithStats(area, connectivity=8)
    largest = 1 + int(np.argmax(stats[1:n, cv2.CC_STAT_AREA]))
    return float((supported & (labels == largest)).sum() / fg.sum())


def scar_length(ctx: Context) -> float:
    """Length (px at 500 ppi) of the longest straight, wide, bright band crossing the ridges:
    a scar or cut (see :mod:`biocap.finger.scars`); 0 when there is none."""
    return scar_measure(ctx.fields)


def minutiae_count(ctx: Context) -> float:
    """Minutiae-count proxy: 2 x (ridge + valley segments) in the eroded foreground."""
    return float(ctx.ridges.minutiae_estimate)


def speck_density(ctx: Context) -> float:
    """Specks (tiny ridge or valley fragments) per 100 mm^2 of foreground: dryness / noise."""
    mm2 = ctx.ridges.foreground_px * (25.4 / 500.0) ** 2
    return float(100.0 * ctx.ridges.specks / mm2) if mm2 > 0 else 0.0


_S = MeasureSpec
MEASURES: dict[str, tuple[MeasureSpec, Callable[[Context], float]]] = {
    s.name: (s, fn)
    for s, fn in [
        (
            _S("orientation_certainty", "", 0.2, 0.85, "OCL, ridge direction certainty"),
            orientation_certainty,
        ),
        (_S("local_clarity", "", 0.2, 0.9, "LCS, ridge/valley separation"), local_clarity),
        (
            _S("frequency_domain_analysis", "", 0.2, 0.45, "FDA, ridge frequency dominance"),
            frequency_domain_analysis,
        ),
        (
            _S("ridge_valley_uniformity", "", 1.0, 0.2, "RVU, ridge/valley width regularity"),
            ridge_valley_uniformity,
        ),
        (
            _S("orientation_flow", "deg", 30.0, 5.0, "OF, smoothness of ridge flow"),
            orientation_flow,
        ),
        (
            _S("ridge_valley_contrast", "grey", 5.0, 40.0, "ridge-valley modulation depth"),
            ridge_valley_contrast,
        ),
        (_S("mean_grey", "grey", 255.0, 128.0, "Mu, foreground grey mean"), mean_grey),
        (_S("foreground_area", "mm2", 40.0, 150.0, "usable print area"), foreground_area),
        (_S("ridge_period", "px", 0.0, 0.0, "ridge period at 500 ppi"), ridge_period),
        (
            _S("ridge_likeness", "", 0.15, 0.6, "share of blocks that look like ridges"),
            ridge_likeness,
        ),
        (
            _S("minutiae_count", "", 0.0, 60.0, "minutiae-count proxy from ridge segments"),
            minutiae_count,
        ),
        (
            _S("speck_density", "per_100mm2", 60.0, 0.0, "ridge fragments from dryness/noise"),
            speck_density,
        ),
        (_S("scar_length", "px", 300.0, 0.0, "longest scar or cut band"), scar_length),
    ]
}


def compute_measures(ctx: Context) -> dict[str, Measure]:
    """All registered measures of one image, raw value and 0-100 component score each."""
    out = {}
    for name, (spec, fn) in MEASURES.items():
        raw = fn(ctx)
        out[name] = Measure(name, raw, spec.score(raw), spec.unit)
    return out
