"""A compact minutiae template of a fingertip, for telling the same finger from another one.

The sequence check of a ten-print (:mod:`.sequence`) needs to know whether two slap segments
show the same finger; it does not need an AFIS. So this is the classical chain kept small and
array-wise (Hong, Wan & Jain 1998; Maltoni et al., *Handbook of Fingerprint Recognition*, ch. 3):

1. ridge orientation from the smoothed gradient structure tensor (7 px Gaussian);
2. enhancement by a bank of 8 even Gabor filters (period 9 px, 500 ppi), each pixel taking
   the response of the filter nearest its ridge orientation, then the sign as the ridge map;
3. thinning (Zhang & Suen 1984, both sub-iterations on the whole image at once);
4. minutiae where the skeleton's crossing number is 1 (ending) or 3 (bifurcation), inside
   the print's foreground eroded by 12 px, without pairs closer than 7 px (spurs, bridges
   and broken ridges make such pairs).

A template is an ``(n, 3)`` float32 array: x, y (px at 500 ppi) and the ridge orientation at
the minutia (radians, modulo pi). It holds no pixels and cannot be turned back into an image.
"""

from __future__ import annotations

import cv2
import numpy as np

RIDGE_PERIOD_PX = 9.0
N_ORIENTATIONS = 8
BORDER_PX = 12
MIN_SPACING_PX = 7.0
MAX_MINUTIAE = 80


def _kernels() -> list[np.ndarray]:
    out = []
    for i in range(N_ORIENTATIONS):
        # the kernel's wave runs across ridges of orientation theta
        theta = np.pi * i / N_ORIENTATIONS
        k = cv2.getGaborKernel((13, 13), 3.2, theta + np.pi / 2, RIDGE_PERIOD_PX, 0.8, 0.0)
        out.append((k - k.mean()).astype(np.float32))
    return out


_KERNELS = _kernels()


def orientation(img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Ridge orientation (rad, 0..pi from the x axis) and coherence (0..1) per pixel, from
    the gradient structure tensor smoothed over ~7 px (computed at half size: the field
    varies slowly)."""
    h, w = img.shape
    half = cv2.resize(img, (w // 2, h // 2), interpolation=cv2.INTER_AREA)
    gx = cv2.Sobel(half, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(half, cv2.CV_32F, 0, 1, ksize=3)
    gxx = cv2.GaussianBlur(gx * gx, (0, 0), 3.5)
    gyy = cv2.GaussianBlur(gy * gy, (0, 0), 3.5)
    gxy = cv2.GaussianBlur(gx * gy, (0, 0), 3.5)
    # the gradient's doubled angle; ridges run across the gradient
    theta = 0.5 * np.arctan2(2.0 * gxy, gxx - gyy) + np.pi / 2
    coh = np.sqrt((gxx - gyy) ** 2 + 4 * gxy * gxy) / np.maximum(gxx + gyy, 1e-6)
    # back to full size through the doubled-angle vector (an angle itself does not average)
    c = cv2.resize((coh * np.cos(2 * theta)).astype(np.float32), (w, h))
    s = cv2.resize((coh * np.sin(2 * theta)).astype(np.float32), (w, h))
    full = np.mod(0.5 * np.arctan2(s, c), np.pi).astype(np.float32)
    return full, np.hypot(c, s).astype(np.float32)


def foreground(img: np.ndarray, block: int = 16) -> np.ndarray:
    """Pixels of the print: blocks whose grey std reaches a fifth of the print's strongest."""
    m = cv2.blur(img, (block, block))
    sd = np.sqrt(np.maximum(cv2.blur(img * img, (block, block)) - m * m, 0.0))
    fg = (sd > max(0.2 * float(np.percentile(sd, 95)), 4.0)).astype(np.uint8)
    fg = cv2.morphologyEx(fg, cv2.MORPH_OPEN, np.ones((block, block), np.uint8))
    return fg > 0


def ridge_map(img: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Ridges (True) after orientation-matched Gabor filtering of the normalised print."""
    bins = np.rint(theta / (np.pi / N_ORIENTATIONS)).astype(np.int64) % N_ORIENTATIONS
    out = np.zeros(img.shape, np.float32)
    for i, k in enumerate(_KERNELS):
        resp = cv2.filter2D(img, cv2.CV_32F, k)
        np.copyto(out, resp, where=bins == i)
    return out < 0  # ridges are dark: the filter answers negatively on them


def _thinning_tables() -> tuple[np.ndarray, np.ndarray]:
    """Zhang-Suen deletion rule of each 8-neighbourhood code (bit i = neighbour i clockwise
    from north), for the two sub-iterations."""
    codes = np.arange(256)
    n = [(codes >> i) & 1 for i in range(8)]
    b = sum(n)
    a = sum((n[i] == 0) & (n[(i + 1) % 8] == 1) for i in range(8))
    base = (b >= 2) & (b <= 6) & (a == 1)
    first = base & (n[0] * n[2] * n[4] == 0) & (n[2] * n[4] * n[6] == 0)
    second = base & (n[0] * n[2] * n[6] == 0) & (n[0] * n[4] * n[6] == 0)
    return first, second


_TABLES = _thinning_tables()
#: weights giving each pixel its neighbourhood code: N=1, NE=2, E=4, ... NW=128
_CODE_KERNEL = np.array([[128, 1, 2], [64, 0, 4], [32, 16, 8]], np.float32)


def thin(binary: np.ndarray) -> np.ndarray:
    """Zhang-Suen thinning of a boolean image: per sub-iteration one 3 x 3 filter gives every
    pixel its neighbourhood code, and a 256-entry table says whether it goes."""
    img = binary.astype(np.uint8)
    while True:
        changed = False
        for table in _TABLES:
            code = cv2.filter2D(img, cv2.CV_32F, _CODE_KERNEL, borderType=cv2.BORDER_CONSTANT)
            drop = (img == 1) & table[code.astype(np.int64)]
            if drop.any():
                img[drop] = 0
                changed = True
        if not changed:
            return img.astype(bool)


def extract(grey: np.ndarray) -> np.ndarray:
    """The ``(n, 3)`` minutiae template of a 500 ppi grey fingertip image."""
    img = grey.astype(np.float32)
    mean = cv2.blur(img, (31, 31))
    sd = np.sqrt(np.maximum(cv2.blur(img * img, (31, 31)) - mean * mean, 1.0))
    norm = (img - mean) / sd
    theta, _ = orientation(cv2.GaussianBlur(norm, (0, 0), 1.0))
    fg = foreground(img)
    skel = np.zeros(fg.shape, bool)
    x, y, w, h = cv2.boundingRect(fg.astype(np.uint8))
    if w and h:  # thinning on the print's box only
        box = (slice(y, y + h), slice(x, x + w))
        skel[box] = thin(ridge_map(norm[box], theta[box]) & fg[box])
    # ridges end where the print does: minutiae only well inside it
    side = 2 * BORDER_PX + 1
    fg = cv2.erode(fg.astype(np.uint8), np.ones((side, side), np.uint8)) > 0
    s = np.pad(skel.astype(np.int16), 1)
    n = [
        s[:-2, 1:-1], s[:-2, 2:], s[1:-1, 2:], s[2:, 2:],
        s[2:, 1:-1], s[2:, :-2], s[1:-1, :-2], s[:-2, :-2],
    ]  # fmt: skip
    cn = sum(np.abs(n[i] - n[(i + 1) % 8]) for i in range(8)) // 2
    ys, xs = np.nonzero(skel & ((cn == 1) | (cn == 3)) & fg)
    if xs.size == 0:
        return np.zeros((0, 3), np.float32)
    pts = np.stack([xs, ys], 1).astype(np.float32)
    d = np.linalg.norm(pts[:, None] - pts[None], axis=2)
    np.fill_diagonal(d, np.inf)
    keep = d.min(axis=1) >= MIN_SPACING_PX
    xs, ys = xs[keep], ys[keep]
    t = theta[ys, xs]
    out = np.column_stack([xs, ys, t]).astype(np.float32)
    if len(out) > MAX_MINUTIAE:  # the ones nearest the print's centre
        c = out[:, :2].mean(axis=0)
        out = out[np.argsort(np.linalg.norm(out[:, :2] - c, axis=1))[:MAX_MINUTIAE]]
    return out
