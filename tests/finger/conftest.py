"""Fingerprint-core fixtures: synthetic prints generated once per session (no real images)."""

from __future__ import annotations

import numpy as np
import pytest

from biocap.assessment import Assessment
from biocap.finger import synthetic as S

from .helpers import SEEDS, assess_grey


@pytest.fixture(scope="session")
def prints() -> dict[int, np.ndarray]:
    return {seed: S.fingerprint(seed=seed) for seed in SEEDS}


@pytest.fixture(scope="session")
def clean(prints: dict[int, np.ndarray]) -> dict[int, Assessment]:
    return {seed: assess_grey(img) for seed, img in prints.items()}
