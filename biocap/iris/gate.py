"""Image-level evidence for the eye gate that the segmentation cannot give: colour, clipped
white, ridges.

A near-infrared iris camera gives grey frames (an RGB file of a NIR frame has equal channels),
so real chroma means a visible-light photo (a face, a scene). An eye frame is exposed for the
iris: skin may clip in places, but never half the frame, which is what a paper or studio
background does (fingerprint cards and scans, passport-style faces). A fingerprint is a field
of parallel ridges at one period: in small blocks its spectrum has one sharp peak pair, which
iris texture, eyelids, skin and lashes never have over most of the image.
"""

from __future__ import annotations

import cv2
import numpy as np

#: grey level from which a pixel counts as clipped white
SATURATED_GREY = 245
#: block side (working px) for the local spectrum; holds 3-6 fingerprint ridges at 320 px wide
BLOCK = 32
#: a block counts as textured above this grey standard deviation
MIN_BLOCK_STD = 8.0
#: share of a block's band power in its 4 strongest bins above which the block is ridged
RIDGE_PEAK_SHARE = 0.3


def _spectral_masks() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    yy, xx = np.mgrid[:BLOCK, : BLOCK // 2 + 1]
    f = np.hypot(xx / BLOCK, np.minimum(yy, BLOCK - yy) / BLOCK)
    window = np.outer(np.hanning(BLOCK), np.hanning(BLOCK)).astype(np.float32)
    # ridge periods 3.5-20 working px; total power above 1/40 cycles per px (no DC, no ramp)
    return (f > 1 / 20) & (f < 1 / 3.5), f > 1 / 40, window


BAND, ABOVE_DC, WINDOW = _spectral_masks()


def _dft_matrices() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Cosine and sine DFT matrices: full length along rows, half (rfft) along columns."""
    n = np.arange(BLOCK)
    full = 2 * np.pi * np.outer(n, n) / BLOCK
    half = full[: BLOCK // 2 + 1]
    return tuple(
        m.astype(np.float32) for m in (np.cos(full), np.sin(full), np.cos(half).T, np.sin(half).T)
    )


COS_Y, SIN_Y, COS_X, SIN_X = _dft_matrices()


def block_power(blocks: np.ndarray) -> np.ndarray:
    """``|rfft2|^2`` of ``(k, BLOCK, BLOCK)`` float32 blocks as four real matrix products
    over all blocks at once (a batched 32-point FFT in NumPy costs ~10x more)."""
    k = blocks.shape[0]
    rows = blocks.reshape(k * BLOCK, BLOCK)
    # along x (last axis), e^{-i..} = cos - i sin; then bring y first for the column pass
    re = (rows @ COS_X).reshape(k, BLOCK, -1).transpose(1, 0, 2).reshape(BLOCK, -1)
    im = -(rows @ SIN_X).reshape(k, BLOCK, -1).transpose(1, 0, 2).reshape(BLOCK, -1)
    yr = COS_Y @ re + SIN_Y @ im
    yi = COS_Y @ im - SIN_Y @ re
    p = yr * yr + yi * yi  # (BLOCK, k * (BLOCK // 2 + 1))
    return p.reshape(BLOCK, k, -1).transpose(1, 0, 2)


def chroma(pixels: np.ndarray) -> float:
    """Mean (max - min) over the colour channels, grey levels (0 for a grey image); read on a
    4x-subsampled grid, which is plenty for a whole-image mean."""
    if pixels.ndim != 3:
        return 0.0
    p = pixels[::4, ::4]
    return float(np.mean(p.max(2) - p.min(2)))


def saturated_share(work: np.ndarray) -> float:
    """Share of the (uint8) image at or above ``SATURATED_GREY``: 0-1."""
    clipped = cv2.countNonZero(cv2.compare(work, SATURATED_GREY - 1, cv2.CMP_GT))
    return clipped / max(work.size, 1)


def ridge_periodicity(work: np.ndarray) -> float:
    """Share of the textured ``BLOCK`` x ``BLOCK`` blocks whose spectrum is one sharp peak
    (fingerprint ridges): 0-1; eyes <= 0.2, fingerprints mostly 0.4-0.9."""
    h, w = work.shape
    ny, nx = h // BLOCK, w // BLOCK
    if ny == 0 or nx == 0:
        return 0.0
    b = work[: ny * BLOCK, : nx * BLOCK].astype(np.float32)
    b = b.reshape(ny, BLOCK, nx, BLOCK).transpose(0, 2, 1, 3).reshape(-1, BLOCK, BLOCK)
    b = b - b.mean(axis=(1, 2), keepdims=True)
    textured = np.einsum("kij,kij->k", b, b) > MIN_BLOCK_STD**2 * BLOCK * BLOCK
    if not textured.any():
        return 0.0
    p = block_power(b[textured] * WINDOW)
    top = np.sort(p[:, BAND], axis=1)[:, -4:].sum(1)
    peak = top / (p[:, ABOVE_DC].sum(1) + 1e-3)
    return float(np.mean(peak > RIDGE_PEAK_SHARE))
