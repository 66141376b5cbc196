"""Generated test images: cheap, deterministic, and shaped like what the cores will see."""

from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import wsq  # noqa: F401  (registers the WSQ writer)
from PIL import Image


def ridges(height: int = 256, width: int = 256, period_px: float = 9.0) -> np.ndarray:
    """A ridge-like sinusoid (period ~9 px as at 500 ppi): WSQ is tuned for exactly this."""
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = 2 * np.pi * (x * np.cos(0.5) + y * np.sin(0.5)) / period_px
    return (127 + 100 * np.sin(phase)).astype(np.uint8)


def colour(height: int = 64, width: int = 80, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def encode(image: np.ndarray | Image.Image, fmt: str, **options: object) -> bytes:
    """Encode with Pillow (``fmt`` is a Pillow format name)."""
    im = image if isinstance(image, Image.Image) else Image.fromarray(image)
    buf = io.BytesIO()
    im.save(buf, fmt, **options)
    return buf.getvalue()


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_header_only(width: int, height: int) -> bytes:
    """A valid-CRC PNG that declares ``width x height`` grey pixels but carries no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", ihdr)
        + _chunk(b"IDAT", zlib.compress(b""))
        + _chunk(b"IEND", b"")
    )


def jp2_with_capture_resolution(image: np.ndarray, ppi: float) -> bytes:
    """Lossless JP2 with a 'resc' (capture resolution) box, which Pillow's writer cannot add."""
    data = encode(image, "JPEG2000", irreversible=False)
    per_metre = round(ppi / 0.0254)
    resc = struct.pack(">HHHHbb", per_metre, 1, per_metre, 1, 0, 0)
    res = struct.pack(">I4s", 8 + 8 + len(resc), b"res ") + struct.pack(
        ">I4s", 8 + len(resc), b"resc"
    )
    res += resc
    at = data.index(b"jp2h") - 4
    length = struct.unpack_from(">I", data, at)[0]
    header = struct.pack(">I", length + len(res)) + data[at + 4 : at + length] + res
    return data[:at] + header + data[at + length :]
