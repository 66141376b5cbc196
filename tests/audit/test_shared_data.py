"""Real images from ../shared/data: prints, and faces/irises once those cores are registered."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from biocap.audit.run import audit
from biocap.records import assessors

pytestmark = pytest.mark.shared_data

SAMPLES = {
    "finger": ("finger/fvc2002_db3_b", "*.tif"),
    "face": ("face/deepface", "img1*.jpg"),
    "iris": ("iris/casia_interval", "*.jpg"),
}


def _link(shared: Path, modality: str, dest: Path, n: int = 6) -> list[Path]:
    folder, glob = SAMPLES[modality]
    files = sorted((shared / folder).glob(glob))[:n]
    if not files:
        pytest.skip(f"no {glob} under {shared / folder}")
    dest.mkdir(parents=True)
    for f in files:
        (dest / f.name).symlink_to(f.resolve())
    return files


@pytest.mark.parametrize("modality", ["finger", "face", "iris"])
def test_modality_from_folder_name_on_real_images(shared_data, tmp_path, modality) -> None:
    if modality not in assessors():
        pytest.skip(f"the {modality} core is not registered in biocap.records.assessors() yet")
    folder = {"finger": "fingers", "face": "faces", "iris": "iris"}[modality]
    files = _link(shared_data, modality, tmp_path / "in" / folder)
    audit([str(tmp_path / "in")], tmp_path / "out", workers=2, progress=False, derive=False)
    rows = pq.ParquetDataset(sorted((tmp_path / "out" / "parts").glob("*.parquet"))).read()
    rows = rows.to_pylist()
    assert len(rows) == len(files)
    assert {r["modality"] for r in rows} == {modality}
    assert all(r["error_code"] is None and r["quality"] is not None for r in rows), rows
    assert all(r["decision"] in {"accept", "retake", "exception"} for r in rows)
