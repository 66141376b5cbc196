"""Iris ``assess`` speed on generated eyes (target: <= 8 ms median at 640x480, one core).

taskset -c 1 .venv/bin/pytest benchmarks/test_iris_speed.py --benchmark-only \
    --benchmark-timer=time.process_time   # CPU time, one core (a shared machine)
"""

from __future__ import annotations

import cv2
import pytest

from biocap.capture import Capture
from biocap.iris import assess
from biocap.iris import synthetic as S

cv2.setNumThreads(1)


@pytest.mark.parametrize(
    ("shape", "iris_r", "pupil_r"),
    [((480, 640), 130.0, 50.0), ((280, 320), 95.0, 35.0)],
    ids=["640x480", "320x280"],
)
def test_iris_assess_speed(benchmark, shape, iris_r, pupil_r):
    cap = Capture(S.eye(shape, iris_r=iris_r, pupil_r=pupil_r, lid_cover=0.2, reflections=4))
    a = benchmark(assess, cap)
    assert a.quality <= 100
