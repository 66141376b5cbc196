"""Generated near-infrared eye images with known pupil and limbus circles, for tests and benches.

Not a realistic eye: enough of one (dark pupil, textured iris, brighter sclera and skin,
optional eyelid, specular spots, blur) that each measure's expected value is known.
"""

from __future__ import annotations

import cv2
import numpy as np


def eye(
    shape: tuple[int, int] = (280, 320),
    centre: tuple[float, float] | None = None,
    iris_r: float = 100.0,
    pupil_r: float = 40.0,
    pupil_offset: tuple[float, float] = (0.0, 0.0),
    lid_cover: float = 0.0,
    reflections: int = 0,
    reflection_r: float = 4.0,
    led_ring: tuple[int, float] = (0, 0.0),
    glint_at: tuple[float, float] | None = None,
    lashes: int = 0,
    wet_lid: bool = False,
    caption: str = "",
    iris_grey: float = 115.0,
    seed: int = 0,
) -> np.ndarray:
    """``uint8 (h, w)`` eye image.

    centre: iris centre (x, y), default the image centre. lid_cover: share of the iris
    diameter the upper eyelid covers from the top (0 = wide open). reflections: number of
    bright spots of ``reflection_r`` px on the iris. led_ring: (n, radius px) glints of the
    illuminator evenly spaced on a ring around the pupil centre (CASIA-Interval's 8 LEDs).
    glint_at: one glint of ``reflection_r`` at this offset (x, y) from the pupil centre (MMU2's
    corneal glint at the pupil edge). lashes: that many dark eyelashes hanging over the top of
    the iris with saturated skin between them; wet_lid: a saturated band along the lower lid
    (bright, but not glints). caption: dark text on a light box across the bottom of the frame
    (the open-iris sample's "This image was anonymized"). iris_grey: mean iris level (MMU2's
    dark irises ~50; the texture's contrast scales with it).
    """
    h, w = shape
    rng = np.random.default_rng(seed)
    cx, cy = centre if centre is not None else (w / 2, h / 2)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.full((h, w), 165.0, np.float32)  # skin
    # sclera: an almond between the lids, wider than the iris
    almond = ((xx - cx) / (2.2 * iris_r)) ** 2 + ((yy - cy) / (1.15 * iris_r)) ** 2 <= 1.0
    img[almond] = 205.0
    # iris texture: smoothed noise on a mid grey, radial fibres
    noise = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 1.5)
    noise *= 18.0 * iris_grey / 115.0 / max(float(noise.std()), 1e-6)
    d_iris = np.hypot(xx - cx, yy - cy)
    img[d_iris <= iris_r] = iris_grey + noise[d_iris <= iris_r]
    px, py = cx + pupil_offset[0], cy + pupil_offset[1]
    img[np.hypot(xx - px, yy - py) <= pupil_r] = 22.0
    if lid_cover > 0:
        edge = cy - iris_r + 2 * iris_r * lid_cover
        lid = yy < edge - 0.002 * (xx - cx) ** 2  # lid edge curves down at the middle
        img[lid] = 175.0
    for _ in range(reflections):
        a = rng.uniform(0, 2 * np.pi)
        rr = rng.uniform(pupil_r + reflection_r + 2, iris_r - reflection_r - 2)
        sx, sy = cx + rr * np.cos(a), cy + rr * np.sin(a)
        img[np.hypot(xx - sx, yy - sy) <= reflection_r] = 255.0
    if lashes:
        # skin seen between the lashes saturates under NIR light: thin bright gaps, dark lashes
        top = cy - iris_r
        band = (yy >= top) & (yy < top + 0.3 * iris_r) & (np.abs(xx - cx) < 0.8 * iris_r)
        period = 1.6 * iris_r / lashes
        lash = np.mod(xx - cx + 0.8 * iris_r, period) < 0.45 * period
        img[band] = np.where(lash[band], 35.0, 255.0)
    if wet_lid:
        # the tear film on the lower lid margin: a saturated arc just inside the limbus
        arc = np.abs(d_iris - 0.93 * iris_r) < 2.0
        img[arc & (yy > cy + 0.55 * iris_r)] = 255.0
    n_led, led_r = led_ring
    glows = [
        (px + led_r * np.cos(a), py + led_r * np.sin(a))
        for a in np.linspace(0, 2 * np.pi, n_led, endpoint=False)
    ]
    if glint_at is not None:
        glows.append((px + glint_at[0], py + glint_at[1]))
    for sx, sy in glows:  # a saturated disk with a glow falling off over ~4 px
        d = np.hypot(xx - sx, yy - sy)
        img = np.where(d <= reflection_r, 255.0, np.maximum(img, 255.0 - 60.0 * (d - reflection_r)))
    if caption:
        box_h = max(12, h // 8)
        img[h - box_h :, :] = 225.0
        scale = cv2.getFontScaleFromHeight(cv2.FONT_HERSHEY_TRIPLEX, int(0.55 * box_h), 3)
        org = (max(2, w // 30), h - box_h // 4)
        ink = np.zeros((h, w), np.uint8)
        cv2.putText(ink, caption, org, cv2.FONT_HERSHEY_TRIPLEX, scale, 255, 3, cv2.LINE_AA)
        img *= 1.0 - ink.astype(np.float32) / 255.0
    img = cv2.GaussianBlur(img, (0, 0), 0.8)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def blurred(img: np.ndarray, sigma: float = 4.0) -> np.ndarray:
    """Defocus: Gaussian blur."""
    return cv2.GaussianBlur(img, (0, 0), sigma)


def motion(img: np.ndarray, length: int = 15) -> np.ndarray:
    """Horizontal motion blur over ``length`` px."""
    k = np.zeros((length, length), np.float32)
    k[length // 2, :] = 1.0 / length
    return cv2.filter2D(img, -1, k, borderType=cv2.BORDER_REFLECT)
