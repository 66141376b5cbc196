"""Iris image quality measures, named as ISO/IEC 29794-6 names them (raw value + 0-100 score).

Every measure reads one :class:`Context` (segmentation + rubber sheet, computed once) and
returns a raw value in its own unit; ``MEASURES`` is the registry the CLI, the API and the docs
list from, with the raw values that map to score 0 and 100. Geometry is reported in input-image
pixels; texture measures (sharpness, motion blur, grey-scale utilisation) are computed at the
working resolution (<= 320 px wide), over the usable iris only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import cv2
import numpy as np

from biocap.assessment import Measure, MeasureSpec

from .masks import IrisSheet, _angles
from .polar import median, sample
from .segment import PUPIL_ANGLES, Segmentation

#: Daugman's 8x8 focus kernel (ISO/IEC 29794-6 sharpness): -1 everywhere, +3 in the central
#: 4x4; a band-pass whose power falls fast as the iris texture defocuses. Computed as two box
#: sums (``focus_response``), which equals ``cv2.filter2D`` with this kernel.
FOCUS_KERNEL = -np.ones((8, 8), np.float32)
FOCUS_KERNEL[2:6, 2:6] = 3.0


def focus_response(img: np.ndarray) -> np.ndarray:
    """``FOCUS_KERNEL`` applied to a float32 image as two box sums (O(1) per pixel instead of
    64 taps): 4 x the central 4x4 sum - the 8x8 sum."""
    inner = cv2.boxFilter(img, cv2.CV_32F, (4, 4), normalize=False, borderType=cv2.BORDER_REFLECT)
    whole = cv2.boxFilter(img, cv2.CV_32F, (8, 8), normalize=False, borderType=cv2.BORDER_REFLECT)
    return cv2.addWeighted(inner, 4.0, whole, -1.0, 0.0)


@dataclass(frozen=True)
class Context:
    """What measures read: the segmentation, the rubber sheet and the input size (h, w)."""

    seg: Segmentation
    sheet: IrisSheet
    shape: tuple[int, int]

    @property
    def k(self) -> float:
        """Input px per working px."""
        return 1.0 / self.seg.scale

    @cached_property
    def texture(self) -> dict[str, np.ndarray]:
        """Focus response and directional gradient energies at the sheet's cells."""
        seg, i = self.seg, self.seg.iris
        h, w = seg.work.shape
        pad = 6
        x0, y0 = max(0, int(i.x - i.r) - pad), max(0, int(i.y - i.r) - pad)
        x1, y1 = min(w, int(i.x + i.r) + pad + 1), min(h, int(i.y + i.r) + pad + 1)
        crop = seg.work[y0:y1, x0:x1].astype(np.float32)
        focus = focus_response(crop)
        gx = cv2.Sobel(crop, cv2.CV_32F, 1, 0, ksize=3)
        gy = cv2.Sobel(crop, cv2.CV_32F, 0, 1, ksize=3)
        a = _angles()[:, None]
        mx = (seg.pupil.x - x0 + self.sheet.radius_px * np.cos(a)).astype(np.float32)
        my = (seg.pupil.y - y0 + self.sheet.radius_px * np.sin(a)).astype(np.float32)
        # one 3-channel remap: focus response and both gradients at the cells
        cells = cv2.remap(
            cv2.merge([focus, gx, gy]), mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        f, cx, cy = cells[..., 0], cells[..., 1], cells[..., 2]
        energy = np.stack([cx * cx, cy * cy, 0.5 * (cx + cy) ** 2, 0.5 * (cx - cy) ** 2])
        return {"focus": f, "energy": energy}

    @cached_property
    def texture_gradient(self) -> float:
        """RMS Sobel gradient over the usable iris cells, levels per px (Sobel 3x3 gains 8)."""
        e = self.texture["energy"]
        g = e[0] + e[1]
        m = self.sheet.usable
        return float(np.sqrt(g[m].mean() if m.any() else g.mean())) / 8.0

    @cached_property
    def grey_levels(self) -> tuple[float, float, float]:
        """(sclera, iris, pupil) medians, read by two contrast measures."""
        return _grey_levels(self)

    def usable_values(self, a: np.ndarray) -> np.ndarray:
        m = self.sheet.usable
        return a[m] if m.any() else a.ravel()


def usable_iris_area(ctx: Context) -> float:
    """UIA: % of the iris annulus not covered by eyelids, eyelashes or reflections."""
    return 100.0 * ctx.sheet.share(ctx.sheet.usable)


def _sclera_iris_pupil(ctx: Context) -> tuple[float, float, float]:
    return ctx.grey_levels


_SCLERA_ANGLES = np.deg2rad(np.r_[np.linspace(-20, 20, 9), np.linspace(160, 200, 9)])


def _grey_levels(ctx: Context) -> tuple[float, float, float]:
    """Median sclera (lateral, just outside the limbus), outer iris and pupil grey levels."""
    seg, sh = ctx.seg, ctx.sheet
    i, p = seg.iris, seg.pupil
    img = seg.clean.astype(np.float32)
    sclera = median(sample(img, [i.x], [i.y], _SCLERA_ANGLES, i.r * np.r_[1.1, 1.18, 1.26]))
    outer = sh.usable & (sh.rho >= 0.5)[None, :]
    iris = median(sh.grey[outer]) if outer.any() else sh.median
    pupil = median(sample(img, [p.x], [p.y], _angles()[::8], p.r * np.r_[0.2, 0.5, 0.7]))
    return sclera, iris, pupil


def iris_sclera_contrast(ctx: Context) -> float:
    """ISC (%): (sclera - iris) / (sclera + iris - 2 pupil), medians in lateral sectors."""
    s, i, p = _sclera_iris_pupil(ctx)
    den = s + i - 2.0 * p
    return 100.0 * max(s - i, 0.0) / den if den > 1e-6 else 0.0


def iris_pupil_contrast(ctx: Context) -> float:
    """IPC (%): Weber ratio w = (iris - pupil) / (20 + pupil), as 100 w / (0.75 + w)."""
    _, i, p = _sclera_iris_pupil(ctx)
    wb = max(i - p, 0.0) / (20.0 + p)
    return 100.0 * wb / (0.75 + wb)


def pupil_boundary_circularity(ctx: Context) -> float:
    """PBC (%): 100 (1 - rms deviation of the pupil edge from its best circle / radius).

    Harmonics 0 and 1 of r(theta) are a circle (radius and centre shift); what is left is
    non-circularity (a lid over the pupil, a deformed or mis-found edge).
    """
    r = ctx.seg.pupil_radii.astype(np.float64)
    f = np.fft.rfft(r)
    f[:2] = 0.0
    resid = np.fft.irfft(f, n=r.size)
    return 100.0 * max(0.0, 1.0 - float(np.sqrt(np.mean(resid**2))) / max(r.mean(), 1e-6))


def grey_scale_utilisation(ctx: Context) -> float:
    """GSU (bits): entropy of the grey-level histogram over the usable iris (ISO: >= 6 good)."""
    v = np.clip(ctx.usable_values(ctx.sheet.grey), 0, 255).astype(np.uint8)
    hist = np.bincount(v, minlength=256).astype(np.float64)
    p = hist[hist > 0] / hist.sum()
    return float(-(p * np.log2(p)).sum())


def iris_radius_px(ctx: Context) -> float:
    """Iris radius in input pixels (the limbus circle)."""
    return ctx.seg.iris.r * ctx.k


def iris_diameter_px(ctx: Context) -> float:
    """Iris diameter in input pixels (ISO/IEC 29794-6: >= 150 px wanted, >= 200 px good)."""
    return 2.0 * ctx.seg.iris.r * ctx.k


def pupil_iris_ratio(ctx: Context) -> float:
    """PIR (%): 100 pupil radius / iris radius (ISO: 20-70 acceptable)."""
    return 100.0 * ctx.seg.pupil.r / max(ctx.seg.iris.r, 1e-6)


def iris_pupil_concentricity(ctx: Context) -> float:
    """IPCo (%): 100 (1 - centre distance / iris radius)."""
    p, i = ctx.seg.pupil, ctx.seg.iris
    return 100.0 * max(0.0, 1.0 - float(np.hypot(p.x - i.x, p.y - i.y)) / max(i.r, 1e-6))


def margin_adequacy(ctx: Context) -> float:
    """MA (%): the tightest image margin around the iris as a share of the margin wanted
    (left/right 0.6 R, top/bottom 0.2 R, as BIQT-Iris reads ISO/IEC 29794-6), capped at 100."""
    h, w = ctx.seg.work.shape
    i = ctx.seg.iris
    need = np.array([0.6, 0.6, 0.2, 0.2]) * i.r
    have = np.array([i.x - i.r, w - 1 - i.x - i.r, i.y - i.r, h - 1 - i.y - i.r])
    return float(100.0 * np.clip(have / need, 0.0, 1.0).min())


def sharpness(ctx: Context) -> float:
    """Sharpness: RMS response of the 8x8 focus kernel over the usable iris (grey levels)."""
    f = ctx.usable_values(ctx.texture["focus"])
    return float(np.sqrt(np.mean(f * f)))


def motion_blur(ctx: Context) -> float:
    """Motion blur (0-1): 1 - weakest / strongest gradient energy over 4 directions.

    Motion smears along one direction and removes its gradients; focus blur removes all
    directions alike (that is ``sharpness``). Iris texture is near-isotropic over the annulus.
    """
    e = ctx.texture["energy"]
    m = ctx.sheet.usable
    dirs = e[:, m].mean(1) if m.any() else e.reshape(4, -1).mean(1)
    return float(1.0 - dirs.min() / max(dirs.max(), 1e-6))


def pupil_boundary_clarity(ctx: Context) -> float:
    """How clearly the pupil boundary stands out: the radial grey step at the boundary on the
    weaker rays (20th percentile over angles, levels/px) over the iris texture's gradient (+1
    keeps a flat image finite). A segmenter fits the pupil where this is high; lashes, a lid
    or glints over the edge and a pale pupil lower it."""
    step = float(np.percentile(ctx.seg.pupil_edge_steps, 20))
    return step / (ctx.texture_gradient + 1.0)


def limbus_boundary_clarity(ctx: Context) -> float:
    """How clearly the limbus stands out: the weaker lateral side's radial grey step (levels
    per px, on the limbus search's smoothed image) over the iris texture's gradient (+1)."""
    return min(ctx.seg.limbus_edge_sides) / (ctx.texture_gradient + 1.0)


#: clarity at which a boundary counts as clearly seen (component score 100): about the median
#: of the shared CASIA images (pupil ~3-4, limbus ~0.35-0.45), MMU2's small pupils read ~1.4
PUPIL_CLEAR = 4.0
LIMBUS_CLEAR = 0.6


def segmentation_confidence(ctx: Context) -> float:
    """Segmentation confidence (%): the less clear of the two boundaries, each as a share of
    clearly seen (``PUPIL_CLEAR``, ``LIMBUS_CLEAR``). ISO/IEC 29794-6's measures exist because
    segmentation fails on poor images; this says how sure the boundaries are."""
    p = pupil_boundary_clarity(ctx) / PUPIL_CLEAR
    limbus = limbus_boundary_clarity(ctx) / LIMBUS_CLEAR
    return 100.0 * float(np.clip(min(p, limbus), 0.0, 1.0))


def off_axis_gaze(ctx: Context) -> float:
    """Gaze angle (deg) from the pupil's ellipticity: arccos(minor / major) of a fitted ellipse.

    A pupil seen obliquely is an ellipse; the edge finder's noise gives a few degrees on a
    frontal eye.
    """
    p = ctx.seg.pupil
    a = np.linspace(0, 2 * np.pi, PUPIL_ANGLES, endpoint=False)
    r = ctx.seg.pupil_radii
    pts = np.stack([p.x + r * np.cos(a), p.y + r * np.sin(a)], 1).astype(np.float32)
    (_, _), (d1, d2), _ = cv2.fitEllipse(pts)
    ratio = min(d1, d2) / max(d1, d2, 1e-6)
    return float(np.degrees(np.arccos(np.clip(ratio, 0.0, 1.0))))


_S = MeasureSpec
MEASURES: dict[str, tuple[MeasureSpec, Callable[[Context], float]]] = {
    s.name: (s, fn)
    for s, fn in [
        (_S("usable_iris_area", "%", 30.0, 80.0, "iris not occluded"), usable_iris_area),
        (_S("iris_sclera_contrast", "%", 3.0, 25.0, "limbus contrast"), iris_sclera_contrast),
        (_S("iris_pupil_contrast", "%", 10.0, 60.0, "pupil edge contrast"), iris_pupil_contrast),
        (
            _S("pupil_boundary_circularity", "%", 85.0, 98.0, "pupil edge vs. a circle"),
            pupil_boundary_circularity,
        ),
        (
            _S("grey_scale_utilisation", "bits", 4.0, 7.0, "iris grey-level entropy"),
            grey_scale_utilisation,
        ),
        (_S("iris_radius_px", "px", 40.0, 100.0, "limbus radius"), iris_radius_px),
        (_S("iris_diameter_px", "px", 80.0, 200.0, "limbus diameter"), iris_diameter_px),
        (
            _S("pupil_iris_ratio", "%", 10.0, 20.0, "pupil dilation", peak=70.0, worst_high=80.0),
            pupil_iris_ratio,
        ),
        (
            _S("iris_pupil_concentricity", "%", 80.0, 95.0, "pupil-limbus centre offset"),
            iris_pupil_concentricity,
        ),
        (_S("margin_adequacy", "%", 0.0, 100.0, "room around the iris"), margin_adequacy),
        (_S("sharpness", "", 100.0, 400.0, "focus (8x8 band-pass power)"), sharpness),
        (_S("motion_blur", "", 0.7, 0.25, "directional smear (0-1)"), motion_blur),
        (_S("off_axis_gaze", "deg", 35.0, 8.0, "gaze angle"), off_axis_gaze),
        (
            _S("pupil_boundary_clarity", "", 0.0, PUPIL_CLEAR, "pupil edge vs. iris texture"),
            pupil_boundary_clarity,
        ),
        (
            _S("limbus_boundary_clarity", "", 0.0, LIMBUS_CLEAR, "limbus edge vs. iris texture"),
            limbus_boundary_clarity,
        ),
        (
            _S("segmentation_confidence", "%", 0.0, 100.0, "both boundaries clearly seen"),
            segmentation_confidence,
        ),
    ]
}


def compute_measures(ctx: Context) -> dict[str, Measure]:
    out = {}
    for name, (spec, fn) in MEASURES.items():
        raw = float(fn(ctx))
        out[name] = Measure(name, raw, spec.score(raw), spec.unit)
    return out
