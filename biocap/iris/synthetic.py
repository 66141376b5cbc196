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
    seed: int = 0,
) -> np.ndarray:
    """``uint8 (h, w)`` eye image.

    centre: iris centre (x, y), default the image centre. lid_cover: share of the iris
    diameter the upper eyelid covers from the top (0 = wide open). reflections: number of
    bright spots of ``reflection_r`` px on the iris. led_ring: (n, radius px) glints of the
    illuminator evenly spaced on a ring around the pupil centre (CASIA-Interval's 8 LEDs).
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
    noise *= 18.0 / max(float(noise.std()), 1e-6)
    d_iris = np.hypot(xx - cx, yy - cy)
    img[d_iris <= iris_r] = 115.0 + noise[d_iris <= iris_r]
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
    n_led, led_r = led_ring
    for a in np.linspace(0, 2 * np.pi, n_led, endpoint=False):
        sx, sy = px + led_r * np.cos(a), py + led_r * np.sin(a)
        d = np.hypot(xx - sx, yy - sy)
        img = np.where(d <= reflection_r, 255.0, np.maximum(img, 255.0 - 60.0 * (d - reflection_r)))
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
