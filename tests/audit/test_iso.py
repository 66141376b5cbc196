"""ISO/IEC 19794-4/-5/-6 records as audit sources (biocap.io.iso19794 reads them)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from biocap.audit.run import audit
from biocap.records import assessors
from tests.audit.helpers import png, print_png

iso = pytest.importorskip("biocap.io.iso19794", reason="ISO 19794 reader not in this build")


def test_iso_records_one_row_per_image(tmp_path: Path) -> None:
    src = tmp_path / "in" / "S0042"
    src.mkdir(parents=True)
    fir = iso.build(
        "finger",
        [iso.RecordImage(print_png(1), 200, 220, 3), iso.RecordImage(print_png(2), 200, 220, 8)],
    )
    (src / "prints.fir").write_bytes(fir)
    eye = png(np.full((240, 320), 90, np.uint8))
    (src / "eyes.bin").write_bytes(iso.build("iris", [iso.RecordImage(eye, 320, 240, "left")]))
    (src / "broken.fir").write_bytes(fir[:100])
    out = tmp_path / "out"
    audit(
        [str(tmp_path / "in"), str(src / "eyes.bin")],
        out,
        workers=1,
        pattern="{subject}/*",
        progress=False,
    )
    t = pq.ParquetDataset(sorted((out / "parts").glob("*.parquet"))).read().to_pylist()
    rows = {Path(r["id"]).name: r for r in t}
    assert set(rows) == {"prints.fir#0", "prints.fir#1", "eyes.bin#0", "broken.fir"}
    assert [rows[f"prints.fir#{i}"]["position"] for i in (0, 1)] == ["3", "8"]
    assert rows["prints.fir#0"]["subject"] == "S0042" and rows["prints.fir#0"]["kind"] == "iso"
    assert rows["prints.fir#0"]["day"] == "2024-01-02"
    assert rows["prints.fir#0"]["quality"] is not None
    assert rows["broken.fir"]["error_code"] == "corrupt_image"
    iris = rows["eyes.bin#0"]
    assert iris["modality"] == "iris" and iris["position"] == "left"
    if "iris" not in assessors():
        assert iris["error_code"] == "modality_unavailable"
