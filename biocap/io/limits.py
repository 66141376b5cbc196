"""Size limits checked before any pixel is decoded (bad input must fail fast, never hang)."""

from __future__ import annotations

from dataclasses import dataclass

from biocap.errors import DecompressionBombError, ImageTooSmallError, InvalidParameterError


@dataclass(frozen=True, slots=True)
class Limits:
    """Guards applied by :func:`biocap.io.decode` (and to the output of resampling).

    ``max_bytes`` is checked on the encoded size, the others on the dimensions the header
    declares, so a small file that would expand to gigabytes is refused before decoding.
    """

    max_bytes: int = 50 * 1024 * 1024
    max_pixels: int = 40_000_000
    min_side: int = 32
    max_side: int = 20_000

    def __post_init__(self) -> None:
        for name in ("max_bytes", "max_pixels", "min_side", "max_side"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
                raise InvalidParameterError(f"Limits.{name} must be a positive int", value=value)


DEFAULT_LIMITS = Limits()


def check_dimensions(width: int, height: int, limits: Limits) -> None:
    """Refuse dimensions over the pixel/side limits or under the minimum side."""
    if width > limits.max_side or height > limits.max_side or width * height > limits.max_pixels:
        raise DecompressionBombError(
            f"image declares {width}x{height} pixels, over the limit "
            f"({limits.max_pixels} pixels, {limits.max_side} px per side)",
            width=width,
            height=height,
        )
    if min(width, height) < limits.min_side:
        raise ImageTooSmallError(
            f"image is {width}x{height} pixels, under the minimum side of {limits.min_side} px",
            width=width,
            height=height,
        )
