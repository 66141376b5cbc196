"""``biocap score``: one record per image, error records for bad files, the run goes on."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest

from biocap.cli import main
from tests.io.images import encode, png_header_only, ridges


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    yy, xx = np.mgrid[0:320, 0:300]
    mask = ((yy - 160) / 140.0) ** 2 + ((xx - 150) / 120.0) ** 2 < 1
    print_ = np.where(mask, ridges(320, 300, 9.0), 235).astype(np.uint8)
    (tmp_path / "a_print.png").write_bytes(encode(print_, "PNG"))
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b_print.wsq").write_bytes(encode(print_, "WSQ"))
    (tmp_path / "c_blank.png").write_bytes(encode(np.full((300, 300), 240, np.uint8), "PNG"))
    (tmp_path / "d_empty.jpg").write_bytes(b"")
    (tmp_path / "e_text.png").write_bytes(b"this is not an image\n")
    (tmp_path / "f_bomb.png").write_bytes(png_header_only(100_000, 100_000))
    (tmp_path / "notes.txt").write_text("not picked up from a folder")
    (tmp_path / ".hidden.png").write_bytes(encode(print_, "PNG"))
    return tmp_path


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(["score", *argv])
    return code, capsys.readouterr().out


def test_jsonl_one_record_per_image_and_errors_do_not_stop_the_run(folder, capsys) -> None:
    code, out = run(capsys, str(folder))
    recs = {Path(r["path"]).name: r for r in map(json.loads, out.splitlines())}
    assert sorted(recs) == [
        "a_print.png", "b_print.wsq", "c_blank.png", "d_empty.jpg", "e_text.png", "f_bomb.png"
    ]  # fmt: skip
    assert code == 1  # some files could not be decoded
    for name in ("a_print.png", "b_print.wsq"):
        r = recs[name]
        assert r["error"] is None and 0 < r["quality"] <= 100
        assert "finger.not_a_fingerprint" not in [d["code"] for d in r["defects"]]
        assert r["measures"]["ridge_period"]["raw"] == pytest.approx(9.0, abs=1.0)
        assert r["ms"] > 0
    blank = recs["c_blank.png"]
    assert blank["quality"] == 0
    (d,) = blank["defects"]
    assert d["code"] == "finger.not_a_fingerprint" and d["message"] and d["action"]
    assert blank["decision"] == "retake"
    (reason,) = blank["reasons"]
    assert reason["code"] == "finger.not_a_fingerprint" and reason["action"]
    assert recs["d_empty.jpg"]["error"]["code"] == "empty_body"
    assert recs["e_text.png"]["error"]["code"] == "unsupported_format"
    assert recs["f_bomb.png"]["error"]["code"] == "decompression_bomb"
    for name in ("d_empty.jpg", "e_text.png", "f_bomb.png"):
        assert recs[name]["quality"] is None and recs[name]["decision"] is None


def test_csv_has_header_and_measure_columns(folder, capsys) -> None:
    code, out = run(capsys, str(folder / "a_print.png"), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and len(rows) == 1
    assert rows[0]["error"] == "" and 0 < int(rows[0]["quality"]) <= 100
    assert float(rows[0]["orientation_certainty"]) > 0.5


def test_profile_decides_and_a_bad_profile_is_a_clear_error(folder, tmp_path, capsys) -> None:
    strict = tmp_path / "p.toml"
    strict.write_text("[finger]\nmin_quality = 100\n")
    _, out = run(capsys, str(folder / "a_print.png"), "--profile", str(strict))
    rec = json.loads(out)
    assert rec["quality"] < 100
    assert rec["decision"] == "retake"
    assert [r["code"] for r in rec["reasons"]] == ["finger.low_quality"]
    _, out = run(capsys, str(folder / "a_print.png"), "--profile", "child")
    assert json.loads(out)["decision"] == "accept"
    assert main(["score", str(folder / "a_print.png"), "--profile", "nope"]) == 2
    err = json.loads(capsys.readouterr().err)
    assert err["error"]["code"] == "invalid_parameter"


def test_table_and_missing_file(folder, capsys) -> None:
    code, out = run(
        capsys, str(folder / "c_blank.png"), str(folder / "nope.png"), "--format", "table"
    )
    lines = out.splitlines()
    assert code == 1 and len(lines) == 3  # header + 2 records
    assert "finger.not_a_fingerprint" in lines[1]
    assert lines[2].split()[0] == "ERR" and "unreadable_file" in lines[2]


def test_explicit_ppi_is_used(folder, capsys) -> None:
    # At a declared 1000 ppi the 9 px ridges are resampled to ~4.5 px at 500 ppi.
    _, out = run(capsys, str(folder / "a_print.png"), "--ppi", "1000")
    rec = json.loads(out)
    assert rec["measures"]["ridge_period"]["raw"] == pytest.approx(4.5, abs=0.8)
