"""Reproduce the NFIQ 2 reference EDC numbers of ../shared/data/README.md."""

from __future__ import annotations

import pytest

from biocap.evaluation.edc import edc_curve, fraction_grid
from biocap.evaluation.finger_pairs import (
    evaluate_sets,
    load_genuine_pairs,
    load_nfiq2_reference,
)
from biocap.evaluation.plot import plot_edc

pytestmark = pytest.mark.shared_data

# README: AUC over 0-20 % discard (random / oracle).
REFERENCE = {
    "fvc2002_db1_b": (0.0238, 0.0321, 0.0137),
    "fvc2002_db3_b": (0.0821, 0.0871, 0.0741),
    "fvc2002_db4_b": (0.0547, 0.0614, 0.0454),
}


def test_genuine_pairs(shared_data):
    pairs = load_genuine_pairs("fvc2002_db1_b", shared_data)
    assert len(pairs.a) == 280 == pairs.failed.size  # 10 fingers x C(8, 2)
    assert len(set(pairs.cluster)) == 10


def test_nfiq2_reference_numbers(shared_data):
    nfiq2 = load_nfiq2_reference(shared_data, ["nfiq2"])["nfiq2"]
    report = evaluate_sets(nfiq2, shared_data, n_boot=200)
    for name, (auc, rnd, orc) in REFERENCE.items():
        s = report[name]
        assert (s.auc, s.random, s.oracle) == pytest.approx((auc, rnd, orc), abs=5e-4), name
        assert s.ci[0] < s.auc < s.ci[1]
    pooled = report["pooled"]
    assert pooled.n == 840
    assert pooled.auc == pytest.approx(0.0535, abs=5e-4)
    assert pooled.gain == pytest.approx(0.416, abs=0.005)


def test_plot(shared_data, tmp_path):
    pairs = load_genuine_pairs("fvc2002_db3_b", shared_data)
    nfiq2 = load_nfiq2_reference(shared_data, ["nfiq2"])["nfiq2"]
    grid = fraction_grid(0.30, 0.005)
    curves = {"NFIQ 2": (grid, edc_curve(pairs.pair_quality(nfiq2), pairs.failed, grid))}
    path = plot_edc(curves, tmp_path / "edc.png", "fvc2002_db3_b")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
