"""ANSI/NIST-ITL transactions: one row per image record, fields from the records."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from biocap.audit.nist import NistRecordError, read_transaction
from biocap.audit.run import audit
from biocap.records import assessors
from tests.audit.helpers import nist_transaction


def test_read_transaction_fields_and_images() -> None:
    entries = read_transaction(nist_transaction(corrupt_record=True), "t.an2")
    assert [e.modality for e in entries] == ["finger", "finger", "finger", "face", "iris"]
    png, raw, broken, face, iris = entries
    assert png.meta == {
        "subject": "SUBJ001",
        "station": "ORI-STATION-7",
        "day": "2026-11-23",  # the record's capture date beats the transaction date
        "position": 2,
    }
    assert png.capture.pixels.shape == (220, 200) and png.capture.ppi == 500.0
    assert raw.capture.format == "RAW" and raw.capture.pixels.shape == (200, 180)
    assert raw.meta["position"] == 7
    assert broken.capture is None and broken.error.code == "corrupt_image"
    assert face.capture.is_colour and face.meta["day"] == "2026-11-20"
    assert iris.meta["position"] == "left"


def test_unparseable_transaction_is_a_typed_error() -> None:
    data = nist_transaction()
    with pytest.raises(NistRecordError):
        read_transaction(data[: len(data) // 2])


def _rows(out: Path) -> dict[str, dict]:
    t = pq.ParquetDataset(sorted((out / "parts").glob("part-*.parquet"))).read().to_pylist()
    return {r["id"]: r for r in t}


def test_audit_of_transactions(tmp_path: Path) -> None:
    src = tmp_path / "nist"
    src.mkdir()
    good = src / "enrol_001.an2"
    good.write_bytes(nist_transaction(corrupt_record=True))
    cut = src / "cut.eft"
    cut.write_bytes(nist_transaction()[:500])
    renamed = tmp_path / "transaction.bin"  # named directly: kind sniffed from the bytes
    renamed.write_bytes(nist_transaction(subject="SUBJ002"))
    out = tmp_path / "out"
    audit([str(src), str(renamed)], out, workers=1, progress=False)
    rows = _rows(out)
    g = {k.rsplit("#", 1)[1]: v for k, v in rows.items() if k.startswith(str(good) + "#")}
    assert set(g) == {"0", "1", "2", "3", "4"}
    assert [g[i]["position"] for i in "012"] == ["2", "7", "9"]
    assert g["0"]["quality"] is not None and g["0"]["kind"] == "nist"
    assert g["0"]["subject"] == "SUBJ001" and g["0"]["station"] == "ORI-STATION-7"
    assert g["2"]["error_code"] == "corrupt_image"
    for i, modality in (("3", "face"), ("4", "iris")):
        assert g[i]["modality"] == modality
        if modality in assessors():
            assert g[i]["error_code"] is None
        else:  # the core is not installed yet: an error row, the run goes on
            assert g[i]["error_code"] == "modality_unavailable"
    assert rows[str(cut)]["error_code"] == "corrupt_record"
    assert rows[f"{renamed}#0"]["subject"] == "SUBJ002"
    nfiq2 = (out / "nfiq2.csv").read_text()
    assert f'"{good}#0",2,' in nfiq2 and f'"{good}#1",7,' in nfiq2


def test_modality_flag_keeps_only_that_modality(tmp_path: Path) -> None:
    f = tmp_path / "t.an2"
    f.write_bytes(nist_transaction())
    audit([str(f)], tmp_path / "out", modality="finger", workers=1, progress=False, derive=False)
    rows = _rows(tmp_path / "out")
    assert {r["modality"] for r in rows.values()} == {"finger"} and len(rows) == 2
