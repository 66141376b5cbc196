"""Benchmark inputs: encoded images held as bytes in memory, so decoding is part of what is timed.

Generated samples come from each modality's entry in :mod:`biocap.bench.modalities`; a folder's
files are read once here (the CLI picks the files, with the same rule as ``biocap score``).
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np


@dataclass(frozen=True, slots=True)
class Sample:
    """One encoded image: a name for reports, its bytes, and the caller's ppi (None = file's)."""

    name: str
    data: bytes
    ppi: float | None = None


def png_bytes(pixels: np.ndarray, ppi: float | None = None) -> bytes:
    """PNG of a ``uint8`` grey ``(h, w)`` or RGB ``(h, w, 3)`` image; ``ppi`` goes in pHYs."""
    from PIL import Image

    buf = io.BytesIO()
    kw = {} if ppi is None else {"dpi": (ppi, ppi)}
    Image.fromarray(pixels).save(buf, format="PNG", **kw)
    return buf.getvalue()


def read_files(paths: Iterable[Path], root: Path | None = None, ppi: float | None = None):
    """Samples of the given files (named relative to ``root``); unreadable files are skipped
    here and reported by the caller through the returned ``(samples, errors)``."""
    samples, errors = [], []
    for p in paths:
        name = p.relative_to(root).as_posix() if root is not None else str(p)
        try:
            samples.append(Sample(name, p.read_bytes(), ppi))
        except OSError as e:
            errors.append({"name": name, "code": "unreadable_file", "message": str(e)})
    return samples, errors


def decodable(samples: Iterable[Sample], modality: str):
    """``(samples that decode, errors)``; errors are {name, code, message} of the others."""
    from biocap.errors import BiocapError
    from biocap.io import decode

    ok, errors = [], []
    for s in samples:
        try:
            decode(s.data, ppi=s.ppi, modality=modality, source=s.name)
        except BiocapError as e:
            errors.append({"name": s.name, "code": e.code, "message": e.message})
            continue
        ok.append(s)
    return ok, errors


def describe(samples: list[Sample]) -> dict[str, object]:
    sizes = [len(s.data) for s in samples]
    return {
        "count": len(samples),
        "bytes_total": int(sum(sizes)),
        "bytes_mean": float(np.mean(sizes)) if sizes else 0.0,
    }
