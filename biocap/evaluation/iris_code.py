"""An iris code from biocap's own segmentation, for evaluation (not on the station's hot path).

Daugman's rubber sheet between our pupil and limbus circles, masked by our eyelid, eyelash and
reflection masks (``biocap.iris.masks``), then open-iris' published encoder: two 2-D Gabor
filters probed on a 16 x 256 grid, fragile bits dropped, signs of the real and imaginary
responses kept: 2 x 16 x 256 x 2 = 16384 bits, as the shared pairs' matcher has.

The PyPI package ``open-iris`` pins numpy 1.24, pydantic 1 and opencv 4.7, which cannot live
beside this project's numpy 2 / pydantic 2 service, so the encoder is rewritten here from its
parameters (``iris/pipelines/confs/pipeline.yaml`` of open-iris 1.11): kernels, probe grid,
patch cropping at the sheet's edges, response normalisation, fragile-bit rule and mask
threshold are open-iris'. Its per-probe Python loops become one FFT correlation per filter.

References: J. Daugman, "How iris recognition works", IEEE TCSVT 14(1), 2004; worldcoin
open-iris ``ConvFilterBank``, ``GaborFilter``, ``FragileBitRefinement``, ``IrisEncoder``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import cv2
import numpy as np

from biocap.iris.masks import BRIGHT_MARGIN, DARK_MARGIN, IrisSheet
from biocap.iris.segment import Segmentation

#: rubber-sheet size: radial samples (pupil -> limbus) x angular samples (open-iris: 128 x 512)
SHEET_RHO = 128
SHEET_PHI = 512
#: probe grid (rows = radii, columns = angles) and the radial offsets open-iris leaves free
PROBE_ROWS = 16
PROBE_COLS = 256
PROBE_RHO = (0.0, 0.0625)
#: open-iris' two Gabor filters: (kernel width along phi, height along rho), sigma_phi,
#: sigma_rho, wavelength along phi (sheet px); both oriented along the angle (theta 90 deg)
GABOR = ((41, 21, 7.0, 6.13, 28.0), (17, 21, 2.0, 5.86, 8.0))
#: fragile bits: a response whose magnitude lies outside this range, or whose phase is within
#: this angle of an axis (that bit's sign is then noise), is masked
FRAGILE_MAGNITUDE = (0.0001, 0.275)
FRAGILE_PHASE_RAD = 0.08726646259971647
#: a bit is usable when at least this share of its filter's weight fell on usable iris
MASK_THRESHOLD = 0.93
#: grey level from which a pixel is over-saturated (open-iris masks it)
OVERSATURATED = 254
#: fewer usable bits than this and the template is not made (open-iris IsMaskTooSmallValidator)
MIN_USABLE_BITS = 4096
CODE_BITS = 2 * PROBE_ROWS * PROBE_COLS * 2


@dataclass(frozen=True, slots=True)
class IrisCode:
    """One template: per angular column a 64-bit word of (filter, ring, real/imag) bits.

    code, mask: ``uint64 (PROBE_COLS,)``; rotating the eye is rolling the columns. A mask bit
    is 1 where the code bit is usable. ``usable_bits``: how many are.
    """

    code: np.ndarray
    mask: np.ndarray

    @property
    def usable_bits(self) -> int:
        return int(popcount(self.mask).sum())


def popcount(words: np.ndarray) -> np.ndarray:
    """Set bits per ``uint64`` element (``np.bitwise_count`` on numpy >= 2, a byte table else)."""
    if hasattr(np, "bitwise_count"):
        return np.bitwise_count(words)
    table = np.array([bin(i).count("1") for i in range(256)], np.uint8)
    return table[words[..., None].view(np.uint8)].sum(-1, dtype=np.uint8)


def rubber_sheet(
    grey: np.ndarray, seg: Segmentation, sheet: IrisSheet
) -> tuple[np.ndarray, np.ndarray]:
    """(``uint8 (SHEET_RHO, SHEET_PHI)`` normalised iris, ``bool`` usable mask).

    Daugman's model: the point at normalised radius rho and angle phi is
    ``(1 - rho) * pupil(phi) + rho * limbus(phi)``, each boundary point on its own circle
    (pupil and limbus need not be concentric). ``grey`` is the input image; circles are scaled
    from the working image. The mask removes what ``biocap.iris.masks`` calls occlusion:
    eyelids (the sheet's ``lid_rho`` per angle, interpolated), eyelashes and skin (grey
    levels beyond the visible iris' median by the masks' margins), removed bright spots,
    over-saturated pixels and samples outside the frame.
    """
    k = 1.0 / seg.scale
    p, i = seg.pupil.scaled(k), seg.iris.scaled(k)
    phi = np.linspace(0, 2 * np.pi, SHEET_PHI, endpoint=False)
    rho = np.linspace(0.0, 1.0, SHEET_RHO)[:, None]
    c, s = np.cos(phi)[None, :], np.sin(phi)[None, :]
    mx = ((1 - rho) * (p.x + p.r * c) + rho * (i.x + i.r * c)).astype(np.float32)
    my = ((1 - rho) * (p.y + p.r * s) + rho * (i.y + i.r * s)).astype(np.float32)
    img = cv2.remap(grey, mx, my, cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    h, w = grey.shape
    inside = (mx >= 0) & (mx <= w - 1) & (my >= 0) & (my <= h - 1)
    spots = cv2.remap(
        seg.reflections.view(np.uint8), mx * seg.scale, my * seg.scale, cv2.INTER_NEAREST
    )
    # eyelids: the sheet's per-angle lid start, on this sheet's finer angles (circular)
    sheet_phi = np.linspace(0, 2 * np.pi, sheet.lid_rho.size, endpoint=False)
    lid_rho = np.interp(phi, sheet_phi, sheet.lid_rho, period=2 * np.pi)
    lid = rho >= lid_rho[None, :]
    smooth = cv2.blur(img, (3, 1))  # along the angle, as masks.py smooths its sheet
    bright = smooth > sheet.median + max(BRIGHT_MARGIN, 3.0 * sheet.mad)
    dark = smooth < sheet.median - max(DARK_MARGIN, 3.0 * sheet.mad)
    usable = inside & (spots == 0) & ~lid & ~bright & ~dark & (img < OVERSATURATED)
    return img, usable


@dataclass(frozen=True, slots=True)
class _Filter:
    """One Gabor filter as FFT correlation weights: per probe row, the conjugate spectra of
    the kernel's real part, imaginary part and their absolute values, laid over the sheet
    rows that row's patch covers, ``complex (4, PROBE_ROWS, SHEET_RHO, SHEET_PHI // 2 + 1)``,
    and the divisor of each part's response ``(2, PROBE_ROWS, 1)``."""

    spectra: np.ndarray
    norm: np.ndarray
    abs_sum: np.ndarray  # (2, PROBE_ROWS, 1): sum of |Re|, |Im| over each row's kernel rows


def gabor_kernel(
    width: int, height: int, sigma_phi: float, sigma_rho: float, wavelength: float
) -> np.ndarray:
    """open-iris ``GaborFilter`` (theta 90 deg, DC-corrected, unit norm per part, fixpoint):
    ``complex (height, width)``, rows along rho, columns along phi."""
    x = np.arange(-(width // 2), width // 2 + 1)[None, :].astype(float)  # along phi
    y = np.arange(-(height // 2), height // 2 + 1)[:, None].astype(float)  # along rho
    envelope = -(x**2 / sigma_phi**2 + y**2 / sigma_rho**2) / 2
    carrier = 1j * 2 * np.pi / wavelength * x
    kernel = np.exp(envelope + carrier) / (2 * np.pi * sigma_phi * sigma_rho)
    g_mean = np.real(kernel).mean(-1)
    kernel = kernel - (g_mean / envelope.mean(-1))[:, None] * envelope
    re, im = kernel.real, kernel.imag
    re = re / max(np.linalg.norm(re), 1e-300)
    im = im / max(np.linalg.norm(im), 1e-300)
    return np.round(re * 2**15) + 1j * np.round(im * 2**15)


def probe_rows() -> np.ndarray:
    """Sheet row of each probe row (open-iris ``RegularProbeSchema``)."""
    rho = np.linspace(PROBE_RHO[0], 1 - PROBE_RHO[1], PROBE_ROWS)
    return np.minimum(np.round(rho * SHEET_RHO).astype(int), SHEET_RHO - 1)


@cache
def _filters() -> tuple[_Filter, ...]:
    out = []
    for params in GABOR:
        kernel = gabor_kernel(*params)
        kh, kw = kernel.shape
        p_rows, p_cols = kh // 2, kw // 2
        parts = (kernel.real, kernel.imag, np.abs(kernel.real), np.abs(kernel.imag))
        part_norms = np.array([np.linalg.norm(kernel.real), np.linalg.norm(kernel.imag)])
        spectra = np.zeros((4, PROBE_ROWS, SHEET_RHO, SHEET_PHI // 2 + 1), np.complex128)
        norm = np.empty((2, PROBE_ROWS, 1))
        abs_sum = np.empty((2, PROBE_ROWS, 1))
        for j, r in enumerate(probe_rows()):
            top, bottom = max(0, r - p_rows), min(r + p_rows + 1, SHEET_RHO)
            h = bottom - top
            # open-iris takes the kernel's central rows for a patch cut at the sheet's edge
            k_top = p_rows - h // 2
            for n, part in enumerate(parts):
                sub = part[k_top : k_top + h]
                # correlation: column c reads sheet columns c - p_cols ... c + p_cols
                line = np.zeros((h, SHEET_PHI))
                line[:, (np.arange(kw) - p_cols) % SHEET_PHI] = sub
                spectra[n, j, top:bottom] = np.conj(np.fft.rfft(line, axis=1))
            norm[:, j, 0] = h * kw * part_norms
            rows = kernel[k_top : k_top + h]
            abs_sum[:, j, 0] = [np.abs(rows.real).sum(), np.abs(rows.imag).sum()]
        out.append(_Filter(spectra, norm, abs_sum))
    return tuple(out)


def filter_responses(img: np.ndarray, usable: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per filter: (complex response ``(PROBE_ROWS, PROBE_COLS)``, complex mask response: the
    share of the real / imaginary kernel weight on usable pixels), as open-iris computes them
    at every probe (columns every ``SHEET_PHI / PROBE_COLS`` sheet px from angle 0)."""
    f_img = np.fft.rfft(img.astype(np.float64), axis=1)
    f_mask = np.fft.rfft(usable.astype(np.float64), axis=1)
    step = SHEET_PHI // PROBE_COLS
    out = []
    for f in _filters():
        corr = np.einsum("nirf,rf->nif", f.spectra[:2], f_img)
        re, im = np.fft.irfft(corr, n=SHEET_PHI, axis=-1)[..., ::step] / f.norm
        cover = np.einsum("nirf,rf->nif", f.spectra[2:], f_mask)
        m_re, m_im = np.fft.irfft(cover, n=SHEET_PHI, axis=-1)[..., ::step] / f.abs_sum
        out.append((re + 1j * im, m_re + 1j * m_im))
    return out


def encode(img: np.ndarray, usable: np.ndarray) -> IrisCode:
    """open-iris' fragile-bit refinement (polar) and encoder on one rubber sheet."""
    lo, hi = FRAGILE_MAGNITUDE
    axis = abs(np.cos(FRAGILE_PHASE_RAD))
    codes, masks = [], []
    for resp, cover in filter_responses(img, usable):
        mag, ph = np.abs(resp), np.angle(resp)
        strong = (mag >= lo) & (mag <= hi)
        # the real bit is fragile near the imaginary axis and vice versa
        m_re = strong & (np.abs(np.sin(ph)) <= axis) & (cover.real >= MASK_THRESHOLD)
        m_im = strong & (np.abs(np.cos(ph)) <= axis) & (cover.imag >= MASK_THRESHOLD)
        codes.append(np.stack([resp.real > 0, resp.imag > 0], -1))
        masks.append(np.stack([m_re, m_im], -1))
    return IrisCode(_pack(np.stack(codes)), _pack(np.stack(masks)))


def _pack(bits: np.ndarray) -> np.ndarray:
    """``bool (2, PROBE_ROWS, PROBE_COLS, 2)`` -> ``uint64 (PROBE_COLS,)``, one word a column."""
    per_col = bits.transpose(2, 0, 1, 3).reshape(PROBE_COLS, 64)
    return np.packbits(per_col, axis=1, bitorder="little").view("<u8").ravel().astype(np.uint64)


def unpack(words: np.ndarray) -> np.ndarray:
    """Inverse of the packing: ``bool (2, PROBE_ROWS, PROBE_COLS, 2)``."""
    raw = words.astype("<u8").view(np.uint8).reshape(PROBE_COLS, 8)
    bits = np.unpackbits(raw, axis=1, bitorder="little")
    return bits.reshape(PROBE_COLS, 2, PROBE_ROWS, 2).transpose(1, 2, 0, 3).astype(bool)


def iris_code(grey: np.ndarray, seg: Segmentation, sheet: IrisSheet) -> IrisCode | None:
    """The template of one segmented eye image, or None when too few bits are usable."""
    code = encode(*rubber_sheet(grey, seg, sheet))
    return code if code.usable_bits >= MIN_USABLE_BITS else None
