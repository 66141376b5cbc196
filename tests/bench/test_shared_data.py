"""``biocap bench`` accuracy section on the shared FVC sets (skipped without ../shared/data)."""

from __future__ import annotations

import json

import pytest

from biocap.bench.finger.accuracy import CROSS_FITTED, NFIQ2, SHIPPED, have_sklearn
from biocap.cli import main

pytestmark = pytest.mark.shared_data

#: NFIQ 2's EDC AUC over 0-20 % discard on the FVC 2002 sets (../shared/data/README.md).
NFIQ2_AUC = {"fvc2002_db1_b": 0.0238, "fvc2002_db3_b": 0.0821, "fvc2002_db4_b": 0.0547}


def test_accuracy_section_beside_nfiq2(shared_data, tmp_path, capsys) -> None:
    out = tmp_path / "bench.json"
    argv = ["bench", "--duration", "0.3", "--json", str(out)]
    assert main([*argv, "--shared", str(shared_data), "--n-boot", "20"]) == 0
    r = json.loads(out.read_text())
    a = r["accuracy"]["finger"]
    assert "skipped" not in a and a["n_boot"] == 20
    sm = a["summaries"]
    for group, auc in NFIQ2_AUC.items():
        assert sm[NFIQ2][group]["auc"] == pytest.approx(auc, abs=5e-5)
    for name, by in sm.items():
        for group in a["groups"]:
            s = by[group]
            assert s["oracle"] < s["random"], (name, group)
            assert s["ci"][0] <= s["auc"] <= s["ci"][1], (name, group)
    assert SHIPPED in sm and not a["fvc_not_a_fingerprint"]
    if have_sklearn():
        assert a["honest"] == CROSS_FITTED
        # the cross-fitted (honest) number is the one in README.md; it must not drift silently
        assert sm[CROSS_FITTED]["pooled"]["auc"] == pytest.approx(0.0516, abs=5e-4)
    text = capsys.readouterr().out
    assert "accuracy, finger" in text and "<- honest number" in text and "oracle" in text
    assert out.with_suffix(".png").is_file()
