"""The evaluation iris matcher on real eyes (``../shared/data``; skipped without it)."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from biocap.evaluation.iris_pairs import set_pairs


def test_casia_interval_eyes_tell_apart(shared_data):
    """Six CASIA-Interval eyes (S1004-S1006, 60 images). Measured 2026-12-04: genuine median
    0.225, impostor median 0.459 and minimum 0.401; 3 of 270 genuine pairs above 0.393 (the
    matcher's FMR 1e-3 threshold over the three shared sets)."""
    folder = shared_data / "iris" / "casia_interval"
    if not folder.is_dir():
        pytest.skip("no casia_interval under shared data")
    with open(shared_data / "iris" / "MANIFEST.tsv", newline="") as fh:
        eyes = {
            r["file"]: r["eye_id"]
            for r in csv.DictReader(fh, delimiter="\t")
            if r["set"] == "casia_interval" and r["file"][:5] in ("S1004", "S1005", "S1006")
        }
    p = set_pairs(folder, eyes)
    g, i = p.hamming[p.genuine], p.hamming[~p.genuine]
    assert (g.size, i.size) == (270, 1500)
    assert np.median(g) < 0.28 and np.median(i) > 0.44
    assert i.min() > 0.38
    assert (g > 0.393).sum() <= 10
