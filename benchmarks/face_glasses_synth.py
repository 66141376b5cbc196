"""Synthetic lens defects on real glasses photos, made at test time (never saved).

The shared sets hold one real tinted pair (Yale subject03 "glasses": sunglasses) and one photo
with clear glare (Yale subject05 "glasses"), too few to choose a threshold. These add them to the
18 real clear-glasses photos: a white specular blob on each lens (upper, outer part, as a ceiling
light gives), or the lens area darkened to 40 %. The lens geometry here is the generator's own
(a 0.84 x 0.64 IED ellipse around each iris centre), not the detector's windows.
"""

from __future__ import annotations

import cv2
import numpy as np

from biocap.face.context import FaceContext

LENS_A, LENS_B = 0.42, 0.32  # semi-axes in IEDs
GLARE_RADIUS = 0.09  # IEDs
TINT_GAIN = 0.4


def _lenses(ctx: FaceContext) -> list[tuple[np.ndarray, tuple[float, float]]]:
    return [(c, (LENS_A * ctx.ied, LENS_B * ctx.ied)) for c in ctx.eye_centres]


def add_glare(px: np.ndarray, ctx: FaceContext) -> np.ndarray:
    img = px.astype(np.float32)
    h, w = img.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w]
    for k, (c, (a, b)) in enumerate(_lenses(ctx)):
        side = -1.0 if k == 0 else 1.0  # outer side of each lens
        cx, cy = c[0] + side * 0.45 * a, c[1] - 0.45 * b
        d = np.hypot(xx - cx, (yy - cy) * 1.3) / (GLARE_RADIUS * ctx.ied)
        alpha = np.clip(1.5 - d, 0.0, 1.0)
        if img.ndim == 3:
            alpha = alpha[..., None]
        img = img * (1 - alpha) + 255.0 * alpha
    return np.clip(img, 0, 255).astype(np.uint8)


def add_tint(px: np.ndarray, ctx: FaceContext) -> np.ndarray:
    h, w = px.shape[:2]
    m = np.zeros((h, w), np.float32)
    for c, (a, b) in _lenses(ctx):
        axes = (round(a * 1.05), round(b * 1.1))
        cv2.ellipse(m, (round(c[0]), round(c[1])), axes, ctx.roll_deg, 0, 360, 1.0, -1)
    m = cv2.GaussianBlur(m, (0, 0), 0.02 * ctx.ied + 0.5)
    gain = 1.0 - (1.0 - TINT_GAIN) * m
    if px.ndim == 3:
        gain = gain[..., None]
    return np.clip(px * gain, 0, 255).astype(np.uint8)
