"""Eyeglasses from the eye region of the aligned crop: frames, glare on the lenses, tinted lenses.

ICAO 9303 part 3 (and ISO/IEC 39794-5 annex D) ask for no frames over the eyes, no reflections
on the lenses and no tinted lenses; many ID schemes ask that glasses be removed. The crop is
eye-levelled at 64 px between the eyes, so every window below is a fixed box in IED units:

- **frame**: a frame's bridge is a thin horizontal line across the nose between the eyes; skin
  there is smooth and shaded sideways (the nose's flanks), so the strongest row-mean of the
  vertical second derivative in that window is the measure, over the skin grey (exposure-free).
- **glare**: lens area (an ellipse around each eye, without the eye opening, whose corneal
  catchlights are not glare) share of near-saturated pixels.
- **tint**: how much darker the skin under each eye, seen through the lens, is than the cheek
  below the lens (the lighter eye counts, so side light, which darkens one side, is no tint).
"""

from __future__ import annotations

from functools import cached_property

import cv2
import numpy as np

from .context import ALIGNED_IED, ALIGNED_TOP, ALIGNED_X, FaceContext

#: bridge window around the eye midpoint, in IEDs: +-0.16 across, 0.35 above to 0.1 below the
#: eye line (frames sit at or a little above the pupils; the brows' inner ends stay above it).
BRIDGE_HALF_W, BRIDGE_ABOVE, BRIDGE_BELOW = 0.16, 0.35, 0.1
#: lens area around each eye centre (IEDs): semi-axes (a lens reaches the brow and half an IED
#: below the pupil), without a strip over the nose ridge, whose highlight is not glare.
LENS_A, LENS_B, NOSE_HALF_W = 0.4, 0.38, 0.12
#: the lens part under the eye (IEDs below the eye line): skin seen through the lens, which a tint
#: darkens, against the cheek window below the lens (IEDs below the eye line, half-width).
UNDER_EYE_TOP = 0.12
CHEEK_TOP, CHEEK_BOTTOM, CHEEK_HALF_W = 0.5, 0.8, 0.25
#: a glare pixel is at least this grey and above the skin's 99th percentile.
GLARE_GREY = 235


class EyeRegion:
    """The aligned-crop windows the three measures read (computed once per image)."""

    def __init__(self, ctx: FaceContext) -> None:
        self.ctx = ctx
        self.grey = ctx.aligned_grey
        self.eye_y = ALIGNED_TOP * ALIGNED_IED
        self.mid_x = ALIGNED_X * ALIGNED_IED
        self.eye_xs = (self.mid_x - ALIGNED_IED / 2, self.mid_x + ALIGNED_IED / 2)

    def _rows(self, top: float, bottom: float) -> slice:
        return slice(
            round(self.eye_y + top * ALIGNED_IED), round(self.eye_y + bottom * ALIGNED_IED)
        )

    def _cols(self, x: float, half: float) -> slice:
        return slice(round(x - half * ALIGNED_IED), round(x + half * ALIGNED_IED) + 1)

    @cached_property
    def cheeks(self) -> list[np.ndarray]:
        """Grey pixels (inside the image) of the cheek window under each lens."""
        rows = self._rows(CHEEK_TOP, CHEEK_BOTTOM)
        out = []
        for x in self.eye_xs:
            cols = self._cols(x, CHEEK_HALF_W)
            out.append(self.grey[rows, cols][self.ctx.aligned_inside[rows, cols]])
        return out

    @cached_property
    def skin_grey(self) -> float:
        """Median grey of both cheek windows (+8, so a black crop does not divide by 0)."""
        v = np.concatenate(self.cheeks)
        return _quantile(v, 0.5) + 8.0 if v.size >= 20 else float("nan")

    @cached_property
    def lens_masks(self) -> tuple[np.ndarray, np.ndarray]:
        """Each lens ellipse (image-left eye first) inside the image, without the eye opening
        and the nose ridge, as ``(h, w)`` bool."""
        w, h = self.ctx.aligned_size
        axes = (round(LENS_A * ALIGNED_IED), round(LENS_B * ALIGNED_IED))
        nose = np.zeros((h, w), bool)
        nose[:, self._cols(self.mid_x, NOSE_HALF_W)] = True
        out = []
        for x, eye in zip(self.eye_xs, self.ctx.eye_masks, strict=True):
            m = np.zeros((h, w), np.uint8)
            cv2.ellipse(m, (round(x), round(self.eye_y)), axes, 0, 0, 360, 1, -1)
            out.append(m.astype(bool) & ~eye & ~nose & self.ctx.aligned_inside)
        return out[0], out[1]

    def frame(self) -> float:
        """Bridge line strength: max |row mean of d2I/dy2| in the bridge window / skin grey."""
        rows = self._rows(-BRIDGE_ABOVE, BRIDGE_BELOW)
        cols = self._cols(self.mid_x, BRIDGE_HALF_W)
        box = self.grey[rows.start - 4 : rows.stop + 4, cols].astype(np.float32)
        if box.shape[0] < 12 or not self.ctx.aligned_inside[rows, cols].all():
            return float("nan")
        d2 = cv2.Sobel(cv2.GaussianBlur(box, (0, 0), 1.5), cv2.CV_32F, 0, 2, ksize=3)[4:-4]
        return float(np.abs(d2.mean(axis=1)).max()) / self.skin_grey

    def glare(self) -> float:
        """Share of lens-area pixels at least ``GLARE_GREY`` and brighter than the cheeks' 99th
        percentile (clipped skin, as in an over-exposed photo, is no glare)."""
        m = self.lens_masks[0] | self.lens_masks[1]
        cheeks = np.concatenate(self.cheeks)
        if np.count_nonzero(m) < 50 or cheeks.size < 20:
            return float("nan")
        level = max(GLARE_GREY, _quantile(cheeks, 0.99) + 1.0)
        return float(np.count_nonzero((self.grey >= level) & m)) / float(np.count_nonzero(m))

    def tint(self) -> float:
        """``1 - under-eye grey / cheek grey`` of the lighter side (0: as light as the cheek)."""
        rows = np.zeros(self.grey.shape[0], bool)
        rows[self._rows(UNDER_EYE_TOP, LENS_B)] = True
        out = []
        for lens, cheek in zip(self.lens_masks, self.cheeks, strict=True):
            under = self.grey[lens & rows[:, None]]
            if under.size < 20 or cheek.size < 20:
                return float("nan")
            out.append(1.0 - (_quantile(under, 0.5) + 8.0) / (_quantile(cheek, 0.5) + 8.0))
        return min(out)


def _quantile(v: np.ndarray, q: float) -> float:
    """The ``q`` quantile (lower order statistic) of a few hundred values: ``np.partition``
    costs a tenth of ``np.percentile``'s overhead on arrays this small."""
    k = min(int(q * (v.size - 1)), v.size - 1)
    return float(np.partition(v, k)[k])


def eye_region(ctx: FaceContext) -> EyeRegion:
    cache = ctx.__dict__.setdefault("_memo", {})
    if "eye_region" not in cache:
        cache["eye_region"] = EyeRegion(ctx)
    return cache["eye_region"]


def glasses_frame(ctx: FaceContext) -> float:
    return eye_region(ctx).frame()


def lens_glare(ctx: FaceContext) -> float:
    return eye_region(ctx).glare()


def lens_tint(ctx: FaceContext) -> float:
    return eye_region(ctx).tint()
