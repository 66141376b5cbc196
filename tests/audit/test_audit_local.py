"""End to end on the local engine: rows, error rows, CSVs, report, query, resume."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from biocap.audit.run import audit
from biocap.cli import main
from tests.audit.helpers import bad_files, make_prints


@pytest.fixture(scope="module")
def campaign(tmp_path_factory) -> tuple[Path, list[Path], dict[str, str]]:
    root = tmp_path_factory.mktemp("campaign")
    prints = make_prints(root / "fingers", 24)
    bad = bad_files(root / "fingers" / "st9" / "broken")
    return root, prints, bad


@pytest.fixture(scope="module")
def result(campaign, tmp_path_factory):
    root, _, _ = campaign
    out = tmp_path_factory.mktemp("out")
    stats = audit(
        [str(root)],
        out,
        workers=2,
        pattern="{station}/{subject}/{position}_{attempt}.png",
        part_rows=10,
        batch_size=4,
        progress=False,
    )
    return out, stats


def _table(out: Path):
    return pq.ParquetDataset(sorted((out / "parts").glob("part-*.parquet"))).read()


def test_every_file_once_and_bad_files_give_error_rows(campaign, result) -> None:
    _, prints, bad = campaign
    out, stats = result
    t = _table(out).to_pylist()
    ids = [r["id"] for r in t]
    assert len(ids) == len(set(ids)) == len(prints) + len(bad)
    assert stats.images == len(ids) and stats.errors == len(bad)
    assert stats.parts >= 2  # part_rows=10 cut the run into several commits
    by_id = {r["id"]: r for r in t}
    for path, code in bad.items():
        assert by_id[path]["error_code"] == code
        assert by_id[path]["quality"] is None
    good = [by_id[str(p)] for p in prints]
    assert all(r["error_code"] is None and 0 <= r["quality"] <= 100 for r in good)
    assert all(r["decision"] in {"accept", "retake", "exception"} for r in good)
    assert all(r["modality"] == "finger" and r["m_ridge_period"] > 0 for r in good)
    r = by_id[str(prints[3])]
    assert (r["station"], r["subject"], r["position"], r["attempt"]) == ("st0", "s0000", "4", "1")
    assert r["engine_version"] and "finger_quality.onnx=" in r["models"]
    assert json.loads(r["measures_json"])["ridge_period"]["unit"]


def test_nfiq2_csv_layout(campaign, result) -> None:
    _, prints, bad = campaign
    out, _ = result
    lines = (out / "nfiq2.csv").read_text().splitlines()
    assert lines[0] == '"Filename",FingerCode,QualityScore,"OptionalError",Quantized,Resampled'
    rows = {r[0]: r for r in csv.reader(lines[1:])}
    assert len(rows) == len(prints) + len(bad)
    ok = rows[str(prints[3])]
    assert ok[1] == "4" and 0 <= int(ok[2]) <= 100 and ok[3:] == ["", "0", "0"]
    err = rows[next(iter(bad))]
    assert err[2] == "NA" and err[3].startswith("empty_body")


def test_report_is_self_contained(result) -> None:
    out, _ = result
    page = (out / "report.html").read_text()
    assert "<script" not in page and "http://" not in page and "https://" not in page
    assert "data:image/jpeg;base64," in page  # gallery thumbnails are inline
    assert "<svg" in page and "Recapture list" in page and "by station" in page
    assert (out / "recapture.csv").read_text().startswith("subject,modality,position")


def test_query_command(result, capsys) -> None:
    out, _ = result
    sql = "SELECT count(*) AS n, count(error_code) AS errors FROM audit"
    assert main(["audit", "query", str(out), sql, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n,errors", "27,3"]


def test_rerun_scores_only_new_files(campaign, result) -> None:
    root, prints, bad = campaign
    out, _ = result
    stats = audit([str(root)], out, workers=1, progress=False, derive=False)
    assert stats.files_skipped == len(prints) + len(bad) and stats.images == 0
    extra = make_prints(root / "late", 2)
    stats = audit([str(root)], out, workers=1, progress=False, derive=False)
    assert stats.images == len(extra)
    ids = _table(out).column("id").to_pylist()
    assert len(ids) == len(set(ids)) == len(prints) + len(bad) + len(extra)
