"""Real images from ../shared/data (read in place, never copied): fingerprints are scored,
photos, faces and irises are rejected. Skipped when the folder is absent."""

from __future__ import annotations

from pathlib import Path

import pytest

from biocap.finger import assess
from biocap.finger.defects import NOT_A_FINGERPRINT
from biocap.io import read

pytestmark = pytest.mark.shared_data

FVC_SETS = ("fvc2002_db1_b", "fvc2002_db3_b", "fvc2002_db4_b")
IMAGE_SUFFIXES = {".tif", ".png", ".jpg", ".bmp", ".pgm"}


def _images(folder: Path, n: int | None = None) -> list[Path]:
    """Sorted image files of ``folder``; ``n`` spread evenly over it when given."""
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if n is None:
        return paths
    step = max(len(paths) // n, 1)
    return paths[::step][:n]


@pytest.mark.parametrize("set_name", FVC_SETS)
def test_fvc_prints_are_scored_fingerprints(shared_data: Path, set_name: str) -> None:
    paths = _images(shared_data / "finger" / set_name)
    assert len(paths) == 80
    wrong = []
    for path in paths:
        a = assess(read(path))
        if a.has(NOT_A_FINGERPRINT) or not 0 <= a.quality <= 100:
            wrong.append((path.name, a.quality, a.failure_reason, [d.code for d in a.defects]))
    assert wrong == []


def test_nfiq2_examples_score_well(shared_data: Path) -> None:
    paths = _images(shared_data / "finger" / "nfiq2_examples")
    assert len(paths) == 5
    scores = {p.name: assess(read(p)).quality for p in paths}
    assert all(50 <= q <= 100 for q in scores.values()), scores


def _non_fingerprints(root: Path) -> list[Path]:
    rs = root / "finger" / "nbis_rs_test"
    return [
        rs / "landscape.jpg",
        rs / "varun_square.png",
        *_images(root / "face" / "yalefaces", 10),
        *_images(root / "face" / "deepface", 10),
        *_images(root / "iris" / "casia_interval", 10),
    ]


def test_photos_faces_and_irises_are_not_fingerprints(shared_data: Path) -> None:
    paths = _non_fingerprints(shared_data)
    assert len(paths) == 32
    wrong = []
    for path in paths:
        a = assess(read(path))
        if a.quality != 0 or not a.has(NOT_A_FINGERPRINT):
            wrong.append((path.parent.name, path.name, a.quality, [d.code for d in a.defects]))
    assert wrong == []
