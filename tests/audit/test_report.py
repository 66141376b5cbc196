"""Derived outputs from hand-made rows: the recapture rule, NFIQ 2 CSV lines, the HTML page."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from biocap.audit import nfiq2_csv, recapture, report
from biocap.audit.store import Store


def _row(ident: str, subject: str | None, position: str | None, quality, decision, **kw):
    return {
        "id": ident,
        "src": ident,
        "kind": "image",
        "modality": "finger",
        "subject": subject,
        "position": position,
        "quality": quality,
        "decision": decision,
        "reasons": [] if decision in ("accept", None) else ["finger.low_quality"],
        "defects": [],
        "station": "st1",
        **kw,
    }


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    rows = [
        _row("a1", "A", "2", 20, "retake"),
        _row("a2", "A", "2", 70, "accept"),  # A's right index was recaptured fine
        _row("a3", "A", "3", 25, "retake"),
        _row("a4", "A", "3", 30, "retake"),  # A's right middle never made it: best is 30
        _row("b1", "B", "1", None, None, error_code="corrupt_image", error_message="bad"),
        _row("c1", None, None, 255, "retake", failure_reason="image too small"),
        _row("d1", "D", "7", 90, "accept", ppi=1000.0, ppi_source="file"),
    ]
    with Store(tmp_path, "r") as s:
        s.write(rows)
    return tmp_path


def test_recapture_lists_positions_without_an_accepted_capture(out: Path) -> None:
    found = recapture.rows(out)
    keys = [(r[0], r[2], r[4], r[5]) for r in found]  # subject, position, attempts, best
    assert keys == [("B", "1", 1, None), ("c1", "", 1, None), ("A", "3", 2, 30)]
    assert found[0][7] == "corrupt_image" and found[2][8] == "a4"
    path, summary = recapture.write_csv(out, head_rows=2)
    table = list(csv.reader(io.StringIO(path.read_text())))
    assert table[0] == list(recapture.COLUMNS) and len(table) == 1 + len(found)
    assert summary.total == 3 and summary.subjects == 3 and summary.head == found[:2]


def test_nfiq2_lines(out: Path) -> None:
    lines = list(nfiq2_csv.lines(out))
    assert lines[0] == nfiq2_csv.HEADER
    assert '"a2",2,70,,0,0\n' in lines
    assert '"b1",1,NA,"corrupt_image: bad",0,0\n' in lines
    assert '"c1",0,NA,"image too small",0,0\n' in lines
    assert '"d1",7,90,,0,1\n' in lines  # 1000 ppi prints are resampled to 500


def test_nfiq2_sanitises_like_nfiq2() -> None:
    assert nfiq2_csv._clean('a "quoted"\nname') == "a 'quoted' name"


def test_report_page(out: Path) -> None:
    page = report.build(out, recapture.write_csv(out)[1])
    assert page.startswith("<!DOCTYPE html>") and "<script" not in page
    assert "A" in page and "finger.low_quality" in page
    assert page.count("<svg") >= 3


def test_bar_chart_escapes_labels() -> None:
    svg = report.bar_chart(["<b>", "x"], [1.0, 3.0], title="t&t")
    assert "&lt;b&gt;" in svg and "t&amp;t" in svg and svg.count("<rect") == 2
