"""Shared block fields of a fingerprint, computed once per image and read by every measure.

One pass over the image gives, per 32x32 block (the NFIQ 2 local-feature block at 500 ppi):
foreground, grey mean/std, ridge orientation and its certainty, and the *ridge-valley profile*:
the block's pixels inside a 16 px wide strip across the ridges, averaged along the ridge
direction and binned by their distance across it. NFIQ 2 rotates each block to get this profile;
here the projection is one gather of every foreground block's strip pixels, grouped by bin, so
local clarity, frequency-domain analysis, ridge-valley uniformity and ridge frequency all read
the same array.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np

BLOCK_PX = 32
#: half-width (px) of the strip along the ridges whose pixels are averaged into the profile.
STRIP_HALF_PX = 8
#: 1 px profile bins cover [-PROFILE_HALF_PX, PROFILE_HALF_PX) across the ridges; 14 keeps every
#: bin inside a 32 px block whatever the orientation (16*sqrt(2) - 8 > 14).
PROFILE_HALF_PX = 14
PROFILE_LEN = 2 * PROFILE_HALF_PX
#: ridge period band at 500 ppi (ISO/IEC 29794-4: ridge spacing ~ 0.3-0.6 mm, i.e. ~6-12 px;
#: wider here to keep fine child ridges and coarse dry ridges).
PERIOD_MIN_PX = 4.0
PERIOD_MAX_PX = 16.0
_FFT_N = 128


@dataclass(frozen=True, slots=True)
class Fields:
    """Block fields of one image. Arrays of shape ``(rows, cols)`` unless said otherwise.

    ``smooth`` is padded to whole blocks; ``height, width`` give the unpadded image size.
    Orientation is the ridge direction in radians in ``[0, pi)`` (image x right, y down).
    """

    smooth: np.ndarray  # grey image after a Gaussian of sigma 1 px (shared with the ridge map)
    height: int
    width: int
    foreground: np.ndarray
    mean: np.ndarray
    std: np.ndarray
    orientation: np.ndarray
    coherence: np.ndarray
    profile: np.ndarray  # (rows, cols, PROFILE_LEN) grey mean across the ridges
    profile_std: np.ndarray
    period_px: np.ndarray
    dominance: np.ndarray  # frequency-domain dominance (NFIQ 2 FDA) per block
    band_peak: np.ndarray  # in-ridge-band spectral peak / strongest non-DC peak (1 = ridges)
    clarity: np.ndarray  # local clarity (NFIQ 2 LCS) per block
    ridge_ratio: np.ndarray  # ridge width / valley width per block (for RVU)
    continuity: np.ndarray  # share of strip variance explained by the along-ridge average
    block_px: int = BLOCK_PX


def _block_means(a: np.ndarray, b: int) -> np.ndarray:
    h, w = a.shape
    return cv2.resize(a, (w // b, h // b), interpolation=cv2.INTER_AREA)


def _pad_to_blocks(grey: np.ndarray, b: int) -> np.ndarray:
    h, w = grey.shape
    ph, pw = (-h) % b, (-w) % b
    if ph or pw:
        # replicate keeps padded blocks flat, so segmentation calls them background.
        grey = cv2.copyMakeBorder(grey, 0, ph, 0, pw, cv2.BORDER_REPLICATE)
    return grey


#: foreground specks smaller than this many blocks (dust, a stray mark) are dropped.
MIN_SPECK_BLOCKS = 3


def segment(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Foreground blocks: enough grey variation (NFIQ 2 ImgProcROI uses block std dev), cleaned.

    The threshold is absolute (grey levels) because a blank or flat frame must come out empty,
    whatever its noise. Holes are closed with a symmetric 3x3 kernel and small specks removed by
    component size (an even-sized opening would shift the mask by a block).
    """
    fg = (std > 9.0) & (mean < 250.0)
    if not fg.any():
        return fg
    fg8 = cv2.morphologyEx(fg.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8))
    _, labels, stats, _ = cv2.connectedComponentsWithStats(fg8, connectivity=8)
    keep = stats[:, cv2.CC_STAT_AREA] >= MIN_SPECK_BLOCKS
    keep[0] = False  # label 0 is the background
    return keep[labels]


def compute_fields(grey: np.ndarray, block_px: int = BLOCK_PX) -> Fields:
    """Compute every block field of ``grey`` (uint8 ``(h, w)`` at 500 ppi) in one pass."""
    h, w = grey.shape
    img = _pad_to_blocks(grey, block_px).astype(np.float32)
    b = block_px
    rows, cols = img.shape[0] // b, img.shape[1] // b
    mean = _block_means(img, b)
    std = np.sqrt(np.maximum(_block_means(img * img, b) - mean * mean, 0.0))

    # Orientation from the gradient structure tensor (ISO/IEC 29794-4 orientation certainty).
    smooth = cv2.GaussianBlur(img, (0, 0), 1.0)
    gx = cv2.Sobel(smooth, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(smooth, cv2.CV_32F, 0, 1, ksize=3)
    gxy = _block_means(gx * gy, b)
    gxx = _block_means(np.square(gx, out=gx), b)  # in place: the gradients are not read again
    gyy = _block_means(np.square(gy, out=gy), b)
    diff, cross = gxx - gyy, 2.0 * gxy
    energy = gxx + gyy
    coherence = np.sqrt(diff * diff + cross * cross) / np.maximum(energy, 1e-6)
    # Doubled-angle averaging over 3x3 blocks steadies the direction used for the profile.
    dsm = cv2.blur(diff, (3, 3), borderType=cv2.BORDER_REPLICATE)
    csm = cv2.blur(cross, (3, 3), borderType=cv2.BORDER_REPLICATE)
    normal = 0.5 * np.arctan2(csm, dsm)  # gradient (across-ridge) direction
    orientation = np.mod(normal + np.pi / 2, np.pi)

    foreground = segment(mean, std)

    # Profiles and everything read from them only for foreground blocks: background is never
    # measured, and skipping it halves the work on a typical plain impression.
    fg_idx = np.flatnonzero(foreground.ravel())
    prof, counts, dark, continuity = _profiles(img, normal, mean, fg_idx, b)
    dominance, period, band_peak = _spectral(prof)
    # Local clarity (NFIQ 2 LCS): how cleanly pixels split into ridge and valley by the
    # profile's threshold: 1 - (alpha + beta), 0 for noise (each rate ~0.5), 1 for clean ridges.
    ridge_bin = prof < prof.mean(-1, keepdims=True)
    # Pixel counts are whole numbers, exact in float32: valley = all - ridge loses nothing.
    ridge = ridge_bin.astype(np.float32)
    ridge_px = np.einsum("ij,ij->i", counts, ridge)
    dark_ridge = np.einsum("ij,ij->i", dark, ridge)
    valley_px = counts.sum(-1) - ridge_px
    alpha = (dark.sum(-1) - dark_ridge) / np.maximum(valley_px, 1)  # dark pixels in valleys
    beta = 1.0 - dark_ridge / np.maximum(ridge_px, 1)  # light pixels on ridges
    clarity = np.clip(1.0 - (alpha + beta), 0.0, 1.0)
    ridge_frac = np.count_nonzero(ridge_bin, axis=-1) / PROFILE_LEN
    ridge_ratio = ridge_frac / np.maximum(1.0 - ridge_frac, 1e-3)

    def grid(values: np.ndarray) -> np.ndarray:
        out = np.zeros(rows * cols, np.float32)
        out[fg_idx] = values
        return out.reshape(rows, cols)

    full_profile = np.repeat(mean.reshape(-1, 1), PROFILE_LEN, axis=1)
    full_profile[fg_idx] = prof
    return Fields(
        height=h,
        width=w,
        foreground=foreground,
        mean=mean,
        std=std,
        orientation=orientation,
        coherence=coherence,
        smooth=smooth,
        profile=full_profile.reshape(rows, cols, PROFILE_LEN),
        profile_std=grid(prof.std(axis=-1)),
        period_px=grid(period),
        dominance=grid(dominance),
        band_peak=grid(band_peak),
        clarity=grid(clarity),
        ridge_ratio=grid(ridge_ratio),
        continuity=grid(continuity),
        block_px=b,
    )


#: orientation quantisation for the profile projection: steps of 11.25 degrees, so the strip is
#: at most 5.6 degrees off and its ends (8 px along the ridge) shift < 0.8 px across it.
N_ANGLES = 16


@lru_cache(maxsize=4)
def _bin_pixels(b: int) -> tuple[np.ndarray, np.ndarray]:
    """Per quantised angle, the strip pixels of a ``b x b`` block grouped by profile bin.

    Returns the ``(N_ANGLES, L, C)`` in-block flat index (``row * b + col``) of each bin's
    pixels, ``C`` = the largest bin, shorter bins repeating their first pixel; and the
    ``(N_ANGLES, L)`` float32 pixel count of every bin.
    """
    c0 = (b - 1) / 2.0
    yy, xx = np.mgrid[0:b, 0:b]
    dx, dy = (xx - c0).ravel(), (yy - c0).ravel()
    bins = []
    for a in range(N_ANGLES):  # table built once per block size, not per image
        phi = np.pi * a / N_ANGLES
        t = dx * np.cos(phi) + dy * np.sin(phi)
        u = dy * np.cos(phi) - dx * np.sin(phi)
        tb = np.floor(t).astype(int) + PROFILE_HALF_PX
        keep = (np.abs(u) <= STRIP_HALF_PX) & (tb >= 0) & (tb < PROFILE_LEN)
        pix = np.flatnonzero(keep)
        bins.append([pix[tb[keep] == k] for k in range(PROFILE_LEN)])
    width = max(len(pix) for per_angle in bins for pix in per_angle)
    table = np.zeros((N_ANGLES, PROFILE_LEN, width), np.intp)
    counts = np.zeros((N_ANGLES, PROFILE_LEN), np.float32)
    for a, per_angle in enumerate(bins):
        for k, pix in enumerate(per_angle):
            table[a, k] = pix[0]  # every bin has pixels (profile / counts relies on it)
            table[a, k, : pix.size] = pix
            counts[a, k] = pix.size
    return table, counts


@lru_cache(maxsize=16)
def _bin_offsets(b: int, w: int) -> np.ndarray:
    """:func:`_bin_pixels` as flat offsets from a block's corner in an image ``w`` px wide."""
    pix = _bin_pixels(b)[0]
    return (pix // b) * w + pix % b


def _profiles(
    img: np.ndarray, normal: np.ndarray, mean: np.ndarray, idx: np.ndarray, b: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ridge-valley profiles of the blocks ``idx`` (flat block indices): one gather of every
    block's strip pixels, grouped by profile bin, and bin sums as products with a ones vector.

    A strip holds ~470 of a block's 1024 pixels, so gathering them is ~4x cheaper than one dense
    ``(b*b, L)`` 0/1 matrix product per angle. Grey levels are integers, so every bin sum (of
    grey, grey squared, dark pixels) is exact in float32 whichever way it is summed, and the
    repeats that pad a bin to the common width are taken off exactly.

    Returns ``(len(idx), L)`` arrays: the profile, the pixel count per bin and the count of dark
    pixels (below the block mean) per bin; and ``(len(idx),)`` ridge continuity.
    """
    cols = normal.shape[1]
    n = idx.size
    angle = np.rint(np.mod(normal, np.pi).ravel()[idx] * (N_ANGLES / np.pi)).astype(np.intp)
    angle %= N_ANGLES
    by, bx = np.divmod(idx, cols)
    where = _bin_offsets(b, img.shape[1])[angle]  # (n, L, C) flat image index of each pixel
    where += (by * (b * img.shape[1]) + bx * b)[:, None, None]
    x = img.ravel()[where]
    width = x.shape[-1]
    counts = _bin_pixels(b)[1][angle]
    repeats = width - counts  # copies of each bin's first pixel beyond its real pixels
    first = x[..., 0]
    d = (x < mean.ravel()[idx, None, None]).astype(np.float32)
    ones = np.ones(width, np.float32)
    profile = (x.reshape(-1, width) @ ones).reshape(n, PROFILE_LEN) - repeats * first
    dark = (d.reshape(-1, width) @ ones).reshape(n, PROFILE_LEN) - repeats * d[..., 0]
    sq = (np.square(x).reshape(-1, width) @ ones).reshape(n, PROFILE_LEN)
    sq -= repeats * first * first
    profile /= counts
    # Share of the strip's grey variance that the along-ridge average explains: high where
    # ridges run unbroken, low across scars, cuts, dry breaks and noise.
    total = sq.sum(1) - np.square((profile * counts).sum(1)) / counts.sum(1)
    residual = (sq - counts * np.square(profile)).sum(1)
    continuity = 1.0 - residual / np.maximum(total, 1e-6)
    return profile, counts, dark, continuity


#: the ridge-period spectrum's bins: the ridge band, and the bins from one cycle per profile up
#: to Nyquist outside it (photos, faces and irises peak there).
_FREQS = np.arange(_FFT_N // 2 + 1, dtype=np.float32) / _FFT_N
_BAND = np.flatnonzero((_FREQS >= 1.0 / PERIOD_MAX_PX) & (_FREQS <= 1.0 / PERIOD_MIN_PX))
_BAND_LO, _BAND_HI = int(_BAND[0]), int(_BAND[-1]) + 1  # the band is one run of bins
_LOW_LO = int(np.argmax(_FREQS >= 1.0 / PROFILE_LEN))
_WINDOW = np.hanning(PROFILE_LEN).astype(np.float32)


def _spectral(prof: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Frequency-domain dominance (NFIQ 2 FDA), ridge period and in-band peak share per block.

    FDA = (A(Fmax) + 0.3 (A(Fmax-1) + A(Fmax+1))) / sum A over the non-DC band, on the plain
    DFT of the profile as NFIQ 2 does; the period comes from a zero-padded spectrum with a
    parabolic peak fit, restricted to the ridge band, so it is finer than the 29-bin DFT.
    Neighbours of a spectrum's peak are read by row and column index (no per-block work).
    """
    rows = np.arange(prof.shape[0])
    centred = prof - prof.mean(-1, keepdims=True)
    amp = np.abs(np.fft.rfft(centred, axis=-1))[..., 1:]
    k = amp.argmax(-1)
    # zero bins on both sides stand for the missing neighbours of a peak at either end
    padded = np.zeros((amp.shape[0], amp.shape[1] + 2), amp.dtype)
    padded[:, 1:-1] = amp
    peak, left, right = padded[rows, k + 1], padded[rows, k], padded[rows, k + 2]
    dominance = (peak + 0.3 * (left + right)) / np.maximum(amp.sum(-1), 1e-6)

    spec = np.abs(np.fft.rfft(centred * _WINDOW, n=_FFT_N, axis=-1))
    sub = spec[:, _BAND_LO:_BAND_HI]
    j = sub.argmax(-1)
    sub_max = sub[rows, j]
    # Ridges put the spectrum's peak inside the ridge band; photos, faces and irises fall off
    # from low frequencies, so their in-band maximum sits below the out-of-band one.
    low = np.maximum(spec[:, _LOW_LO:_BAND_LO].max(-1), spec[:, _BAND_HI:].max(-1))
    band_peak = sub_max / np.maximum(np.maximum(low, sub_max), 1e-6)
    jm, jp = np.maximum(j - 1, 0), np.minimum(j + 1, sub.shape[-1] - 1)
    a, bb, c = sub[rows, jm], sub_max, sub[rows, jp]
    denom = a - 2 * bb + c
    safe = np.where(np.abs(denom) > 1e-9, denom, 1.0)
    offset = np.where(np.abs(denom) > 1e-9, 0.5 * (a - c) / safe, 0.0)
    f = (_BAND_LO + j + np.clip(offset, -0.5, 0.5)) / _FFT_N
    period = 1.0 / np.maximum(f, 1e-6)
    return dominance.astype(np.float32), period.astype(np.float32), band_peak.astype(np.float32)
