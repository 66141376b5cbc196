"""Bytes -> Capture: the single place where encoded images enter biocap."""

from __future__ import annotations

import io
import warnings

import numpy as np
import wsq  # noqa: F401  (registers the WSQ plugin; used here for its header parser only)
from PIL import Image, ImageOps

from biocap.capture import Capture, Modality
from biocap.errors import (
    BiocapError,
    CorruptImageError,
    DecompressionBombError,
    EmptyInputError,
    ImageTooLargeError,
    InvalidParameterError,
    UnsupportedFormatError,
)
from biocap.io.limits import DEFAULT_LIMITS, Limits, check_dimensions
from biocap.io.pixels import to_uint8
from biocap.io.resolution import check_ppi, ppi_from_info, resolve
from biocap.io.sniff import PILLOW_FORMAT, sniff
from biocap.io.wsq_isolated import decode_wsq

# Pillow's own guard stays on as a backstop, at our default limit (it warns above it and raises
# above twice it). Our header check below is the authority, so the warning is silenced there.
Image.MAX_IMAGE_PIXELS = DEFAULT_LIMITS.max_pixels


def decode(
    data: bytes,
    *,
    source: str = "",
    ppi: float | None = None,
    width: int | None = None,
    height: int | None = None,
    modality: Modality | str | None = None,
    position: int | str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Capture:
    """Decode PNG, JPEG, BMP, TIFF, PGM/PPM, WSQ, JPEG 2000, WebP, GIF or a raw 8-bit grey frame.

    The container is chosen by magic bytes. A raw frame is assumed only when ``width`` and
    ``height`` are given and ``len(data) == width * height``. Every failure on bad bytes is a
    :class:`~biocap.errors.BiocapError` with a stable code; nothing else escapes. WSQ pixels
    are decoded in a child process (:mod:`biocap.io.wsq_isolated`).
    """
    caller_ppi = None if ppi is None else check_ppi(ppi)
    modality = _check_modality(modality)
    raw_shape = _check_raw_shape(width, height)
    if not isinstance(data, bytes | bytearray):
        raise InvalidParameterError("data must be bytes", type=type(data).__name__)
    if len(data) > limits.max_bytes:
        raise ImageTooLargeError(
            f"{len(data)} bytes, over the limit of {limits.max_bytes}",
            size=len(data),
            max_bytes=limits.max_bytes,
        )
    if not data:
        raise EmptyInputError("no image bytes")

    if raw_shape is not None and len(data) == raw_shape[0] * raw_shape[1]:
        pixels, fmt, file_ppi, meta = _decode_raw(data, raw_shape, limits)
    else:
        fmt = sniff(data)
        if fmt is None:
            if raw_shape is not None:
                raise CorruptImageError(
                    f"raw frame needs width*height = {raw_shape[0] * raw_shape[1]} bytes, "
                    f"got {len(data)}",
                    expected_bytes=raw_shape[0] * raw_shape[1],
                    size=len(data),
                )
            raise UnsupportedFormatError(
                "not a supported image format "
                "(PNG, JPEG, BMP, TIFF, PGM/PPM, WSQ, JPEG 2000, WebP, GIF)"
            )
        pixels, file_ppi, meta = _decode_container(bytes(data), fmt, limits)

    if file_ppi is not None:
        meta["file_ppi"] = file_ppi
    ppi_value, ppi_source = resolve(caller_ppi, file_ppi)
    return Capture(
        pixels=pixels,
        modality=modality,
        ppi=ppi_value,
        ppi_source=ppi_source,
        source=source,
        format=fmt,
        position=position,
        meta=meta,
    )


def _decode_raw(
    data: bytes | bytearray, shape: tuple[int, int], limits: Limits
) -> tuple[np.ndarray, str, None, dict[str, object]]:
    height, width = shape
    check_dimensions(width, height, limits)
    return np.frombuffer(data, np.uint8).reshape(shape).copy(), "RAW", None, {}


def _decode_container(
    data: bytes, fmt: str, limits: Limits
) -> tuple[np.ndarray, float | None, dict[str, object]]:
    """Open lazily, check the declared size, then decode. Pillow's decoders raise a zoo of
    types on hostile input (OSError, SyntaxError, ValueError, struct.error, IndexError,
    MemoryError ...), so anything not already typed becomes CorruptImageError."""
    # Pillow warns (bomb size, corrupt EXIF, truncated tags ...) on stderr; what matters is
    # raised or returned below, so its warnings are kept out of station and audit logs.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            im = Image.open(io.BytesIO(data), formats=[PILLOW_FORMAT[fmt]])
            check_dimensions(*im.size, limits)
            meta: dict[str, object] = {"mode": im.mode}
            if fmt == "WSQ":
                pixels, file_ppi = decode_wsq(data, im.size)
                return pixels, file_ppi, meta
            if fmt in ("GIF", "WEBP"):
                # counting an animation's frames walks all of them: ask only whether it has more
                if getattr(im, "is_animated", False):
                    meta["animated"] = True  # only the first frame is decoded
            elif (frames := getattr(im, "n_frames", 1)) > 1:
                meta["frames"] = frames  # only the first is decoded
            im.load()
            if fmt == "JPEG":
                im = ImageOps.exif_transpose(im)
            pixels, converted = to_uint8(im)
            file_ppi = ppi_from_info(im.info)
    except BiocapError:
        raise
    except Image.DecompressionBombError as exc:
        raise DecompressionBombError(str(exc), format=fmt) from exc
    except Exception as exc:
        raise CorruptImageError(
            f"cannot decode {fmt}: {exc}", format=fmt, reason=type(exc).__name__
        ) from exc
    return pixels, file_ppi, meta | converted


def _check_modality(modality: Modality | str | None) -> Modality | None:
    if modality is None:
        return None
    try:
        return Modality(modality)
    except ValueError as exc:
        raise InvalidParameterError(
            f"unknown modality {modality!r}", modality=repr(modality)
        ) from exc


def _check_raw_shape(width: int | None, height: int | None) -> tuple[int, int] | None:
    """(height, width) when a raw frame is described, None when neither is given."""
    if width is None and height is None:
        return None
    for name, value in (("width", width), ("height", height)):
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidParameterError(
                f"{name} must be a positive int (width and height go together)",
                **{name: repr(value)},
            )
    return height, width  # type: ignore[return-value]
