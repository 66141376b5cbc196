"""Path -> Capture, with the byte limit checked on the file size before anything is read."""

from __future__ import annotations

import os

from biocap.capture import Capture, Modality
from biocap.errors import ImageTooLargeError
from biocap.io.decode import decode
from biocap.io.limits import DEFAULT_LIMITS, Limits


def read(
    path: str | os.PathLike[str],
    *,
    ppi: float | None = None,
    width: int | None = None,
    height: int | None = None,
    modality: Modality | str | None = None,
    position: int | str | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> Capture:
    """Read and decode one image file; ``source`` is the path.

    OS errors (missing file, permission) propagate unchanged: they are not bad image input.
    """
    size = os.stat(path).st_size
    if size > limits.max_bytes:
        raise ImageTooLargeError(
            f"{size} bytes, over the limit of {limits.max_bytes}",
            size=size,
            max_bytes=limits.max_bytes,
            source=str(path),
        )
    with open(path, "rb") as fh:
        # Bounded read: a file that grows after stat still cannot exceed the limit unnoticed.
        data = fh.read(limits.max_bytes + 1)
    return decode(
        data,
        source=str(path),
        ppi=ppi,
        width=width,
        height=height,
        modality=modality,
        position=position,
        limits=limits,
    )
