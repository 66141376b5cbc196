"""Speed of two finger parts that once were timed unit tests: the synthetic print generator
(``biocap bench`` builds its samples with it) and the scar search (~1 ms on the project's VM; a
per-pixel or per-block Python loop would take 100x longer). Timings belong here, not in tests/."""

from __future__ import annotations

from biocap.finger import synthetic as S
from biocap.finger.fields import compute_fields
from biocap.finger.scars import find_scars


def test_synthetic_fingerprint(benchmark):
    S.fingerprint(seed=9)  # warm-up: imports, OpenCV's first DFT plans
    benchmark.group = "finger parts"
    img = benchmark(S.fingerprint, seed=9)
    assert img.dtype.name == "uint8" and img.ndim == 2


def test_find_scars(benchmark):
    fields = compute_fields(S.scar(S.fingerprint(seed=2), seed=2))
    find_scars(fields)  # warm-up: offset tables
    benchmark.group = "finger parts"
    scars = benchmark(find_scars, fields)
    assert scars is not None
