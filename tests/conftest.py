"""Shared fixtures: the real-image folder ``../shared/data`` (tests skip when it is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def shared_data_root() -> Path:
    return Path(os.environ.get("BIOCAP_SHARED_DATA", REPO.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    root = shared_data_root()
    if not (root / "finger").is_dir():
        pytest.skip(f"real test images not found at {root} (set BIOCAP_SHARED_DATA)")
    return root
