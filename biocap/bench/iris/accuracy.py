"""Iris utility for ``biocap bench``: EDC of the unified quality on the shared pairs.

Scores (protocol: ``../shared/data/README.md``, false non-match = Hamming distance > 0.41):
biocap cross-fitted by eye (``biocap.iris.tuning.cross_fitted``: the honest number), biocap
shipped (weights fitted on these images: in-sample), random and oracle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from biocap.evaluation import edc_curve, fraction_grid

CROSS_FITTED = "biocap cross-fitted (by eye)"
SHIPPED = "biocap shipped (in-sample, optimistic)"
PLOT_MAX_FRACTION = 0.30


def missing_data_message(root: Path) -> str | None:
    from biocap.iris.tuning import IRIS_SETS

    iris = Path(root) / "iris"
    need = [iris / "MANIFEST.tsv"] + [iris / "pairs" / f"{s}.pairs.tsv.gz" for s in IRIS_SETS]
    missing = [p for p in need if not p.exists()]
    return f"iris reference data not found at {root} (missing {missing[0]})" if missing else None


def evaluate(data: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """(result, curves): EDC summaries of the cross-fitted and shipped quality per set."""
    from biocap.iris import tuning as T

    ts = T.load_training_set(data)
    cf = dict(zip(ts.keys, T.to_quality(T.cross_fitted(ts)).tolist(), strict=True))
    scores = {CROSS_FITTED: cf, SHIPPED: ts.shipped}
    summaries = {name: T.edc_report(q, data) for name, q in scores.items()}
    eyes = T.eye_ids(data)
    f = fraction_grid(PLOT_MAX_FRACTION)
    curves: dict[str, dict[str, np.ndarray]] = {}
    for s in T.IRIS_SETS:
        p = T.load_pairs(s, data, eyes)
        c = {name: edc_curve(p.pair_quality(q), p.failed, f) for name, q in scores.items()}
        c["random"] = edc_curve(np.zeros(p.failed.size), p.failed, f)
        c["oracle"] = edc_curve((~p.failed).astype(float), p.failed, f)
        curves[s] = c
    return {"summaries": summaries}, {"fractions": f, "groups": curves}


def bench_accuracy(data: Path, n_boot: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``biocap bench`` accuracy hook (bootstrap not implemented for iris: ``n_boot``
    is ignored)."""
    if reason := missing_data_message(data):
        return {"skipped": reason}, {}
    from biocap.iris.tuning import IRIS_SETS

    result, curves = evaluate(data)
    return {
        "groups": [*IRIS_SETS, "pooled"],
        "group_labels": {"casia_v1": "CASIA1", "casia_interval": "CASIA-I", "mmu2": "MMU2"},
        "n_boot": 0,
        "baseline": CROSS_FITTED,
        "dataset": "CASIA-V1, CASIA-Interval, MMU2 (open-iris Hamming > 0.41 = false non-match)",
        "honest": CROSS_FITTED,
        "notes": [f"{SHIPPED}: weights fitted on these images"],
        **result,
    }, curves


def report(r: dict[str, Any]) -> str:
    lines = [
        "EDC of the unified iris quality (pair = min of the two images; FNMR: Hamming > 0.41)",
        f"{'set':15} {'score':38} {'FNMR':>6} {'@10%':>6} {'oracle@10%':>10} "
        f"{'-10% img':>8} {'(oracle)':>8} {'pairs left':>10} {'AUC':>7} {'random':>7} "
        f"{'oracle':>7}",
    ]
    for name, by in r["summaries"].items():
        for g, s in by.items():
            lines.append(
                f"{g:15} {name:38} {s['fnmr']:6.1%} {s['fnmr_at_10']:6.1%} "
                f"{s['oracle_fnmr_at_10']:10.1%} {s['fnmr_drop_10pct_images']:8.1%} "
                f"{s['oracle_drop_10pct_images']:8.1%} {s['pairs_left_10pct_images']:10.1%} "
                f"{s['auc']:7.4f} {s['random']:7.4f} {s['oracle']:7.4f}"
            )
    return "\n".join(lines)
