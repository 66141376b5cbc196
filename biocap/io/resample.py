"""Bring a capture to the resolution the cores are tuned for (ISO/IEC 19794-4 nominal 500 ppi)."""

from __future__ import annotations

import dataclasses

import cv2

from biocap.capture import Capture
from biocap.io.limits import DEFAULT_LIMITS, Limits, check_dimensions
from biocap.io.resolution import check_ppi

_TOLERANCE = 0.02  # sensors sold as "500 ppi" range roughly 490-510


def resample_to_ppi(
    capture: Capture, target_ppi: float = 500.0, *, limits: Limits = DEFAULT_LIMITS
) -> Capture:
    """Resample to ``target_ppi`` when the resolution is known and off by more than 2 %.

    Returns the same object when nothing needs doing (unknown ppi, or already close enough).
    Shrinking uses area averaging (no aliasing of ridges); enlarging uses bicubic. The output
    size is checked against ``limits``, since a caller ppi of 1 would otherwise ask for a
    500-fold enlargement.
    """
    target = check_ppi(target_ppi, "target_ppi")
    if capture.ppi is None or abs(capture.ppi / target - 1.0) <= _TOLERANCE:
        return capture
    scale = target / capture.ppi
    width = max(1, round(capture.width * scale))
    height = max(1, round(capture.height * scale))
    check_dimensions(width, height, limits)
    interpolation = cv2.INTER_AREA if scale < 1.0 else cv2.INTER_CUBIC
    pixels = cv2.resize(capture.pixels, (width, height), interpolation=interpolation)
    return dataclasses.replace(
        capture,
        pixels=pixels,
        ppi=target,
        ppi_source="resampled",
        meta={**capture.meta, "native_ppi": capture.ppi},
    )
