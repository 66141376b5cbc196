"""``--manifest``: CSV/Parquet rows of paths whose columns set subject, position, station."""

from __future__ import annotations

import csv
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from biocap.audit.run import audit
from biocap.audit.sources import check_manifest, manifest_items
from biocap.cli import main
from biocap.errors import InvalidParameterError
from tests.audit.helpers import make_prints


def _rows(out: Path) -> dict[str, dict]:
    parts = sorted((out / "parts").glob("part-*.parquet"))
    return {r["id"]: r for r in pq.ParquetDataset(parts).read().to_pylist()}


def test_csv_manifest_fields_relative_paths_and_empty_cells(tmp_path: Path) -> None:
    prints = make_prints(tmp_path / "imgs", 4)
    manifest = tmp_path / "m.csv"
    with manifest.open("w", newline="", encoding="utf-8-sig") as fh:  # Excel's BOM
        w = csv.writer(fh)
        w.writerow(["Path", "subject", "position", "station", "note"])
        w.writerow([prints[0].relative_to(tmp_path), "S1", "2", "ST-A", "ignored"])
        w.writerow([prints[1], "S1", "", "ST-A", ""])  # absolute path, no position
        w.writerow(["", "S2", "3", "ST-B", ""])  # no path: an error row, not a gap
        w.writerow([prints[0], "S9", "9", "ST-Z", ""])  # a repeat: scored once (first wins)
    items = list(manifest_items(manifest))
    assert items[0].path == str(prints[0]) and items[1].path == str(prints[1])
    assert dict(items[0].fields) == {"subject": "S1", "position": "2", "station": "ST-A"}
    assert dict(items[1].fields) == {"subject": "S1", "station": "ST-A"}
    stats = audit(
        [],
        tmp_path / "out",
        manifests=[str(manifest)],
        pattern="{station}/{subject}/{position}_{attempt}.png",
        workers=1,
        progress=False,
    )
    assert stats.files_scored == 3 and stats.extra["files_repeated"] == 1
    rows = _rows(tmp_path / "out")
    r0, r1 = rows[str(prints[0])], rows[str(prints[1])]
    assert (r0["subject"], r0["position"], r0["station"]) == ("S1", "2", "ST-A")
    # the manifest wins over --pattern; a field it leaves empty comes from the pattern
    assert (r1["subject"], r1["station"], r1["attempt"]) == ("S1", "ST-A", "1")
    assert r1["position"] == prints[1].name.split("_")[0]
    (bad,) = [r for k, r in rows.items() if k.endswith("#row4")]
    assert bad["error_code"] is not None and bad["quality"] is None


def test_parquet_manifest_with_numeric_columns(tmp_path: Path) -> None:
    prints = make_prints(tmp_path / "imgs", 3)
    table = pa.table(
        {
            "path": [str(p) for p in prints],
            "subject": ["A", "A", None],
            "position": [1.0, 7.0, None],  # a float column from a data frame: 1, not 1.0
            "extra": [1, 2, 3],
        }
    )
    pq.write_table(table, tmp_path / "m.parquet")
    out = tmp_path / "out"
    assert main(["audit", "--manifest", str(tmp_path / "m.parquet"), "--out", str(out),
                 "--workers", "1", "--quiet"]) == 0  # fmt: skip
    rows = _rows(out)
    assert [rows[str(p)]["position"] for p in prints] == ["1", "7", None]
    assert [rows[str(p)]["subject"] for p in prints] == ["A", "A", None]


def test_a_manifest_without_a_path_column_fails_before_any_work(tmp_path: Path) -> None:
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,subject\na.png,S1\n")
    with pytest.raises(InvalidParameterError, match="no 'path' column"):
        check_manifest(manifest)
    assert main(["audit", "--manifest", str(manifest), "--out", str(tmp_path / "o")]) == 2
    assert not (tmp_path / "o").exists()
    with pytest.raises(InvalidParameterError, match="expected"):
        check_manifest(tmp_path / "m.xlsx")
    (tmp_path / "bad.parquet").write_bytes(b"PAR1 not really")
    (tmp_path / "bad.csv").write_bytes(b"\xff\xfe\x00binary")
    for bad in ("bad.parquet", "bad.csv"):
        with pytest.raises(InvalidParameterError):
            check_manifest(tmp_path / bad)
