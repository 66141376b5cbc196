"""Resolution (ppi): validate the caller's, read the file's, and decide which one to trust.

Rule for file values: a file ppi is used only when it lies in [125, 10000] and x/y agree within
2 %. Below 125 ppi a fingerprint ridge period (~0.45 mm) spans fewer than ~2.2 pixels, so no
biometric scanner writes such values; what is found there are software defaults (72/96 screen
dpi, JFIF/TIFF "1", Pillow's 72 for unreadable EXIF). Those mean "unknown", not "low".
The raw file value is still recorded in ``meta["file_ppi"]`` for audits.
"""

from __future__ import annotations

import math
from numbers import Real

from biocap.errors import InvalidParameterError

MIN_FILE_PPI = 125.0
MAX_PPI = 10_000.0
_ANISOTROPY = 0.02


def check_ppi(value: object, name: str = "ppi") -> float:
    """A caller-given resolution as float, or InvalidParameterError (<= 0, NaN, > 10000, ...)."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidParameterError(f"{name} must be a number", **{name: repr(value)})
    ppi = float(value)
    if not (math.isfinite(ppi) and 0.0 < ppi <= MAX_PPI):
        raise InvalidParameterError(f"{name} must be in (0, {MAX_PPI:g}]", **{name: ppi})
    return ppi


def ppi_from_info(info: dict) -> float | None:
    """Raw ppi from Pillow's ``info["dpi"]`` (PNG pHYs, JFIF/EXIF, TIFF inch/cm, BMP, JP2 res).

    (WSQ's NIST_COM ppi comes from the decoder itself, see :mod:`biocap.io.wsq_isolated`.)

    Returns ``None`` when absent or unreadable; x/y disagreement yields ``None`` as well, since
    one number cannot describe non-square pixels.
    """
    dpi = info.get("dpi")
    try:
        x, y = (float(v) for v in dpi)  # type: ignore[union-attr]
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not (math.isfinite(x) and math.isfinite(y)) or x <= 0 or y <= 0:
        return None
    if abs(x - y) > _ANISOTROPY * max(x, y):
        return None
    return round(x, 1)


def plausible(ppi: float | None) -> bool:
    return ppi is not None and MIN_FILE_PPI <= ppi <= MAX_PPI


def resolve(caller_ppi: float | None, file_ppi: float | None) -> tuple[float | None, str]:
    """(ppi, ppi_source): the caller wins, then a plausible file value, else unknown."""
    if caller_ppi is not None:
        return caller_ppi, "caller"
    if plausible(file_ppi):
        return file_ppi, "file"
    return None, "assumed"
