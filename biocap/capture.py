"""The decoded image every modality core works on (decode once, never read bytes again)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np


class Modality(StrEnum):
    FINGER = "finger"
    FACE = "face"
    IRIS = "iris"


@dataclass(frozen=True, slots=True)
class Capture:
    """One decoded capture.

    Attributes
    ----------
    pixels:
        ``uint8`` array, shape ``(h, w)`` for grey or ``(h, w, 3)`` RGB for colour.
    ppi:
        Resolution in pixels per inch: read from the file, given by the caller, or ``None``
        when unknown (cores then assume their nominal resolution and say so).
    ppi_source:
        ``"file"``, ``"caller"``, ``"resampled"`` or ``"assumed"``.
    source:
        Where the bytes came from (a path or a label), for records and errors.
    format:
        Container format as decoded (``PNG``, ``WSQ``, ``JPEG2000``, ``RAW`` ...).
    position:
        ISO/IEC 19794-4 finger position 0-10 or an eye label; ``None`` when unknown.
    """

    pixels: np.ndarray
    modality: Modality | None = None
    ppi: float | None = None
    ppi_source: str = "assumed"
    source: str = ""
    format: str = ""
    position: int | str | None = None
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def is_colour(self) -> bool:
        return self.pixels.ndim == 3

    def grey(self) -> np.ndarray:
        """Luma as ``uint8 (h, w)`` (ITU-R BT.601 weights, as OpenCV and Pillow use)."""
        if self.pixels.ndim == 2:
            return self.pixels
        import cv2

        return cv2.cvtColor(self.pixels, cv2.COLOR_RGB2GRAY)
