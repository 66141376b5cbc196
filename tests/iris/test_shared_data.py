"""Real eye images from ``../shared/data/iris``: no crash, plausible circles on every image."""

from __future__ import annotations

from pathlib import Path

import pytest

from biocap.io import read
from biocap.iris import assess

SETS = ("casia_v1", "casia_interval", "mmu2", "openiris_sample", "warsaw_postmortem")


def _images(root: Path) -> list[Path]:
    return [p for s in SETS for p in sorted((root / "iris" / s).glob("*")) if p.is_file()]


def test_every_shared_eye_gives_circles(shared_data):
    paths = _images(shared_data)
    if not paths:
        pytest.skip("no iris images under shared data")
    implausible = []
    for p in paths:
        cap = read(p, modality="iris")
        a = assess(cap)
        assert 0 <= a.quality <= 100
        px, py, pr = a.overlay["pupil"]
        _, _, ir = a.overlay["iris"]
        ok = (
            0 <= px < cap.width
            and 0 <= py < cap.height
            and 0.1 * ir < pr < 0.85 * ir
            and 0.08 * cap.width < ir < 0.6 * cap.width
        )
        if not ok:
            implausible.append(p.name)
    # measured 2026-11-24: a few CASIA / MMU2 frames get a wrong limbus; keep it below 5 %
    assert len(implausible) <= 0.05 * len(paths), implausible[:20]
