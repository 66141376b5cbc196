"""Speed of the face core on one core (pytest-benchmark): full assessment of a 600x800 and a
1200x1600 portrait (public-domain astronaut, generated in code), decode excluded.

Target (issue 3): median <= 20 ms at 600x800. No time limits here: targets live in reports.
Every timed result is checked, so a benchmark cannot silently time a failure path.
"""

from __future__ import annotations

import pytest

from biocap.capture import Capture
from biocap.face import assess

pytest.importorskip("skimage")
from biocap.bench.face.samples import portrait


@pytest.mark.parametrize("size", [(600, 800), (1200, 1600)], ids=["600x800", "1200x1600"])
def test_face_assess(benchmark, size):
    cap = Capture(portrait(*size))
    first = assess(cap)  # warm-up: model sessions
    assert first.measures["single_face_present"].raw == 1
    benchmark.group = "face assess"
    a = benchmark.pedantic(assess, args=(cap,), rounds=60, iterations=1, warmup_rounds=3)
    assert 0 <= a.quality <= 100
