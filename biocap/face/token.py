"""ICAO token image: the capture cropped and levelled to the ISO/IEC 19794-5 token geometry.

Token geometry (ISO/IEC 19794-5, 8.3): width W, height W / 0.75, eye midpoint at (W/2, 0.6 W)
from the top-left corner, inter-eye distance W/4 (so the head fills the frame as ICAO 9303
asks). The eyes are put exactly on that line after undoing the roll.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image

from biocap.capture import Capture
from biocap.errors import BiocapError

from .context import FaceContext

#: the IED-to-width ratio and eye-line position of the token image.
IED_PER_WIDTH = 0.25
EYE_Y_PER_WIDTH = 0.6


class NoSingleFaceError(BiocapError):
    code = "no_single_face"


def token_geometry(eyes: np.ndarray, width: int) -> np.ndarray:
    """2x3 similarity taking image pixels to the token image of ``width`` px.

    ``eyes``: ``(2, 2)`` eye centres, image-left eye first.
    """
    (lx, ly), (rx, ry) = eyes
    ied = float(np.hypot(rx - lx, ry - ly))
    k = IED_PER_WIDTH * width / max(ied, 1e-6)
    a = -np.arctan2(ry - ly, rx - lx)
    c, s = np.cos(a) * k, np.sin(a) * k
    mx, my = (lx + rx) / 2, (ly + ry) / 2
    tx, ty = width / 2 - (c * mx - s * my), EYE_Y_PER_WIDTH * width - (s * mx + c * my)
    return np.array([[c, -s, tx], [s, c, ty]])


def token_image(
    capture: Capture, *, width: int | None = None, fmt: str = "png", quality: int = 95
) -> bytes:
    """The token crop of a single-face capture, encoded as PNG or JPEG bytes.

    ``width`` defaults to the native resolution (4 x the inter-eye distance, even), so the crop
    never invents pixels; give e.g. 480 for a fixed-size record. Raises ``NoSingleFaceError``
    (code ``no_single_face``) unless exactly one face is found.
    """
    if fmt.lower() not in ("png", "jpeg", "jpg"):
        raise ValueError("fmt must be 'png' or 'jpeg'")
    px = capture.pixels[..., :3] if capture.pixels.ndim == 3 else capture.pixels
    ctx = FaceContext.build(np.ascontiguousarray(px))
    if len(ctx.faces) != 1:
        raise NoSingleFaceError(f"token image needs exactly one face, found {len(ctx.faces)}")
    w = width or max(2, 2 * round(ctx.ied / IED_PER_WIDTH / 2))
    h = round(w / 0.75)
    m = token_geometry(ctx.eye_centres, w)
    src = ctx.rgb if capture.is_colour else ctx.grey
    if m[0, 0] ** 2 + m[0, 1] ** 2 < 0.5:  # shrinking by > ~1.4x: average first (no aliasing)
        f = float(np.hypot(m[0, 0], m[0, 1])) * 1.2
        src = cv2.resize(src, None, fx=f, fy=f, interpolation=cv2.INTER_AREA)
        m = m.copy()
        m[:, :2] /= f
    out = cv2.warpAffine(src, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    buf = io.BytesIO()
    if fmt.lower() == "png":
        Image.fromarray(out).save(buf, format="PNG")
    else:
        Image.fromarray(out).save(buf, format="JPEG", quality=quality)
    return buf.getvalue()
