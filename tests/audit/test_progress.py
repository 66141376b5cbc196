"""The progress line: files found while the total is being counted, then a bar and an ETA."""

from __future__ import annotations

import io

from biocap.audit.progress import Progress


def test_line_before_and_after_the_total_is_known() -> None:
    out = io.StringIO()
    bar = Progress(stream=out, log_every_s=0.0)
    bar.skipped = 40  # committed by an earlier run
    bar.update(10, 12, 1)
    assert "50 files (40 done before) (counting...)" in out.getvalue()
    assert "ETA" not in out.getvalue()
    bar.total = 100  # the counting thread finished
    bar.update(10, 10, 0)
    line = out.getvalue().splitlines()[-1]
    assert "60/100 files (40 done before)  60.0%" in line and "22 images" in line
    assert "1 errors" in line and "ETA" in line and "--:--" not in line.split("ETA")[1]
    bar.close()
    assert out.getvalue().endswith("\n")
