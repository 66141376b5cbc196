"""Helpers shared by the fingerprint-core tests."""

from __future__ import annotations

import numpy as np

from biocap.assessment import Assessment
from biocap.capture import Capture
from biocap.finger import assess

#: seeds of the synthetic prints every degradation test runs on.
SEEDS = (0, 1, 2)


def assess_grey(img: np.ndarray) -> Assessment:
    """Assess a synthetic 500 ppi image as a capture station would send it."""
    return assess(Capture(img, ppi=500.0, ppi_source="caller", source="synthetic"))
