"""Vectorised polar sampling: many centres x angles x radii in one ``cv2.remap`` call.

Daugman's integro-differential operator and every boundary search here read an image along rays
from a centre; sampling all rays of all candidate centres at once keeps the hot path free of
Python loops over pixels, centres or angles.
"""

from __future__ import annotations

import cv2
import numpy as np


def sample(
    img: np.ndarray,
    cx: np.ndarray,
    cy: np.ndarray,
    angles: np.ndarray,
    radii: np.ndarray,
) -> np.ndarray:
    """Bilinear samples of ``img`` on rays.

    img: ``float32 (h, w)``. cx, cy: centres, shape ``(n,)`` (px). angles: ``(a,)`` radians,
    image convention (y down: pi/2 points down). radii: ``(r,)`` px, or ``(n, r)`` per centre.
    Returns ``float32 (n, a, r)``; points outside the image repeat the border pixel.
    """
    cx = np.asarray(cx, np.float32).reshape(-1, 1, 1)
    cy = np.asarray(cy, np.float32).reshape(-1, 1, 1)
    rad = np.asarray(radii, np.float32)
    rad = rad.reshape(1, 1, -1) if rad.ndim == 1 else rad.reshape(rad.shape[0], 1, -1)
    c = np.cos(angles).astype(np.float32).reshape(1, -1, 1)
    s = np.sin(angles).astype(np.float32).reshape(1, -1, 1)
    n, a, r = max(cx.shape[0], rad.shape[0]), c.shape[1], rad.shape[2]
    # two planar maps built in place: no (n, a, r) temporaries, no strided interleaving
    mx = np.empty((n, a, r), np.float32)
    my = np.empty((n, a, r), np.float32)
    np.multiply(rad, c, out=mx)
    mx += cx
    np.multiply(rad, s, out=my)
    my += cy
    out = cv2.remap(
        img,
        mx.reshape(n * a, r),
        my.reshape(n * a, r),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )
    return out.reshape(n, a, r)


def inside(
    shape: tuple[int, int], cx: float, cy: float, angles: np.ndarray, radii: np.ndarray
) -> np.ndarray:
    """``bool (a, r)``: which ray points of one centre fall inside an image of ``shape``."""
    x = cx + np.outer(np.cos(angles), radii)
    y = cy + np.outer(np.sin(angles), radii)
    return (x >= 0) & (x <= shape[1] - 1) & (y >= 0) & (y <= shape[0] - 1)


def sample_cells(img: np.ndarray, cx: float, cy: float, radius: np.ndarray) -> np.ndarray:
    """Bilinear samples at ``radius`` ``(a, r)`` px along ``a`` evenly spaced angles from one
    centre (a rubber sheet whose ring radii vary with the angle). Returns ``float32 (a, r)``."""
    a = np.linspace(0, 2 * np.pi, radius.shape[0], endpoint=False)[:, None]
    mx = (cx + radius * np.cos(a)).astype(np.float32)
    my = (cy + radius * np.sin(a)).astype(np.float32)
    return cv2.remap(img, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


def median(a: np.ndarray) -> float:
    """Median of all values (``np.partition``: no sort, none of ``np.median``'s overhead)."""
    v = np.asarray(a).ravel()
    n = v.size
    k = n // 2
    if n % 2:
        return float(np.partition(v, k)[k])
    part = np.partition(v, (k - 1, k))
    return 0.5 * float(part[k - 1] + part[k])
