"""Fingerprint utility beside NFIQ 2 (EDC against bozorth3) on the shared FVC 2002 sets.

Scores compared per set and pooled (protocol: ``../shared/data/README.md``):

- biocap cross-fitted: finger-level out-of-fold predictions of the utility model
  (``training.cross_fitted`` -> ``to_quality``, less the smudged share as ``assess`` does); no
  image is scored by a model that saw its finger. The honest number; needs scikit-learn (the
  ``train`` extra).
- biocap shipped: ``biocap.finger.assess`` with the model in ``models/``, which was trained on
  these very images: in-sample, optimistic, reported apart.
- NFIQ 2 and the mindtct minutiae count (``finger/nfiq2_scores.tsv``), random and oracle.

EDC AUC over 0-20 % discard, gain, and with ``n_boot`` > 0 the finger-level bootstrap 95 %
intervals and the paired interval of (score - NFIQ 2): entirely below 0 = better than NFIQ 2
beyond noise. Also the non-fingerprint check (``benchmarks/finger_accuracy.py``).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import math
from pathlib import Path
from typing import Any

import numpy as np

from biocap.assessment import QUALITY_FAILURE
from biocap.errors import BiocapError
from biocap.evaluation import edc_auc, edc_curve, fraction_grid, gain, oracle_auc, random_auc
from biocap.evaluation.finger_pairs import (
    FVC_SETS,
    GenuinePairs,
    ImageKey,
    evaluate_sets,
    load_genuine_pairs,
    load_nfiq2_reference,
)
from biocap.finger import assess
from biocap.finger.defects import NOT_A_FINGERPRINT
from biocap.io import read

CROSS_FITTED = "biocap cross-fitted"
SHIPPED = "biocap shipped (in-sample, optimistic)"
NFIQ2 = "NFIQ 2"
MINUTIAE = "mindtct minutiae count"
PLOT_MAX_FRACTION = 0.30
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff"}
NON_FINGER_PHOTOS = ("nbis_rs_test/landscape.jpg", "nbis_rs_test/varun_square.png")
#: real fingerprints outside the FVC sets, counted for information (not part of the protocol)
OTHER_FINGER_SETS = ("altered_haq", "fingernet_samples", "nfiq2_examples", "nbis_rs_test")


def missing_data_message(root: Path) -> str | None:
    """Why the FVC sets cannot be evaluated under ``root``, or None when they can."""
    finger = Path(root) / "finger"
    needed = [finger / "nfiq2_scores.tsv"] + [finger / "pairs" / f"{s}.tsv" for s in FVC_SETS]
    needed += [finger / s for s in FVC_SETS]
    missing = [p for p in needed if not p.exists()]
    if missing:
        return f"fingerprint reference data not found at {root} (missing {missing[0]})"
    return None


def have_sklearn() -> bool:
    return importlib.util.find_spec("sklearn") is not None


def score_file(path: Path) -> tuple[float, list[str], str | None]:
    """(quality or NaN on failure, defect codes, error code) of one file via ``assess``."""
    try:
        a = assess(read(path, modality="finger"))
    except BiocapError as e:
        return math.nan, [], e.code
    q = math.nan if a.quality == QUALITY_FAILURE else float(a.quality)
    return q, [d.code for d in a.defects], None


def shipped_scores(data: Path) -> tuple[dict[ImageKey, float], list[str]]:
    """Shipped-model quality of every FVC image; and the FVC images called not a fingerprint."""
    quality: dict[ImageKey, float] = {}
    rejected = []
    for s in FVC_SETS:
        for path in sorted((data / "finger" / s).glob("*.tif")):
            q, codes, _ = score_file(path)
            quality[(s, path.name)] = q
            if NOT_A_FINGERPRINT in codes:
                rejected.append(f"{s}/{path.name}")
    return quality, rejected


def cross_fitted_scores(data: Path) -> dict[ImageKey, float]:
    """Finger-level out-of-fold quality of every FVC image (needs scikit-learn)."""
    from biocap.finger.training import cross_fitted, load_training_set, to_quality

    ts = load_training_set(data)
    q = to_quality(cross_fitted(ts), ts.smudged_share)
    return dict(zip(ts.keys, q.tolist(), strict=True))


def images_under(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def non_fingerprint_check(data: Path) -> dict[str, dict[str, object]]:
    """Share of non-fingerprint images scored 0 with ``finger.not_a_fingerprint`` per group,
    and (for information) real fingerprints outside FVC that got that code."""
    finger = data / "finger"
    other = [p for s in OTHER_FINGER_SETS for p in images_under(finger / s)]
    groups = {
        "nbis_rs_test photos": [finger / p for p in NON_FINGER_PHOTOS],
        "face": images_under(data / "face"),
        "iris": images_under(data / "iris"),
        "other real fingerprints": [
            p for p in other if p.relative_to(finger).as_posix() not in NON_FINGER_PHOTOS
        ],
    }
    out = {}
    for name, paths in groups.items():
        rejected, kept, errors = [], [], []
        for p in paths:
            q, codes, error = score_file(p)
            rel = p.relative_to(data).as_posix()
            if error is not None:
                errors.append(f"{rel} ({error})")
            elif q == 0 and NOT_A_FINGERPRINT in codes:
                rejected.append(rel)
            else:
                kept.append(f"{rel} (q={q:.0f})")
        n = len(paths)
        out[name] = {
            "images": n,
            "rejected": len(rejected),
            "share_rejected": len(rejected) / n if n else math.nan,
            "share_rejected_of_decoded": len(rejected) / max(n - len(errors), 1),
            "rejected_files": rejected,
            "not_rejected": kept,
            "decode_errors": errors,
        }
    return out


def pair_groups(data: Path) -> dict[str, GenuinePairs]:
    per_set = {s: load_genuine_pairs(s, data) for s in FVC_SETS}
    return {**per_set, "pooled": GenuinePairs.concat(list(per_set.values()))}


def edc_curves(
    scores: dict[str, dict[ImageKey, float]], groups: dict[str, GenuinePairs]
) -> dict[str, dict[str, np.ndarray]]:
    """FNMR over 0-30 % discard (``fraction_grid(PLOT_MAX_FRACTION)``) per group for each
    score, random and oracle."""
    f = fraction_grid(PLOT_MAX_FRACTION)
    out = {}
    for g, pairs in groups.items():
        curves = {
            name: edc_curve(pairs.pair_quality(q), pairs.failed, f) for name, q in scores.items()
        }
        curves["random"] = edc_curve(np.zeros(pairs.failed.size), pairs.failed, f)
        curves["oracle"] = edc_curve((~pairs.failed).astype(float), pairs.failed, f)
        out[g] = curves
    return out


def _point_summary(
    q: np.ndarray, failed: np.ndarray, baseline: np.ndarray | None
) -> dict[str, object]:
    """The fields of ``EdcSummary`` (+ fnmr) without bootstrap intervals (``ci`` = None)."""
    auc, rnd, orc = edc_auc(q, failed), random_auc(failed), oracle_auc(failed)
    return {
        "n": int(q.size),
        "n_failed": int(failed.sum()),
        "auc": auc,
        "random": rnd,
        "oracle": orc,
        "gain": gain(auc, rnd, orc),
        "ci": None,
        "baseline_auc": None if baseline is None else edc_auc(baseline, failed),
        "diff_ci": None,
        "fnmr": float(failed.mean()),
    }


def summaries(
    quality: dict[ImageKey, float],
    data: Path,
    groups: dict[str, GenuinePairs],
    baseline: dict[ImageKey, float] | None,
    n_boot: int,
) -> dict[str, dict[str, object]]:
    """EDC summary per set and pooled; bootstrap intervals only when ``n_boot`` > 0."""
    if n_boot > 0:
        by = evaluate_sets(quality, data, baseline=baseline, n_boot=n_boot)
        return {g: {**dataclasses.asdict(s), "fnmr": s.fnmr} for g, s in by.items()}
    return {
        g: _point_summary(
            p.pair_quality(quality),
            p.failed,
            None if baseline is None else p.pair_quality(baseline),
        )
        for g, p in groups.items()
    }


def evaluate(
    data: Path, n_boot: int, *, cross_fit: bool = True, non_fingerprint: bool = True
) -> tuple[dict[str, Any], dict[str, dict[str, np.ndarray]]]:
    """(result, EDC curves): summaries of every score, FVC prints called not a fingerprint,
    shipped-model failures and, when asked, the non-fingerprint check."""
    scores: dict[str, dict[ImageKey, float]] = {}
    if cross_fit:
        scores[CROSS_FITTED] = cross_fitted_scores(data)
    shipped, fvc_rejected = shipped_scores(data)
    scores[SHIPPED] = shipped
    ref = load_nfiq2_reference(data, ("nfiq2", "mindtct_min"))
    scores[NFIQ2] = ref["nfiq2"]
    scores[MINUTIAE] = ref["mindtct_min"]
    groups = pair_groups(data)
    result: dict[str, Any] = {
        "n_boot": n_boot,
        "summaries": {
            name: summaries(q, data, groups, None if name == NFIQ2 else ref["nfiq2"], n_boot)
            for name, q in scores.items()
        },
        "fvc_not_a_fingerprint": fvc_rejected,
    }
    if non_fingerprint:
        result["non_fingerprint_check"] = non_fingerprint_check(data)
    result["shipped_failures"] = sorted(
        f"{s}/{f}" for (s, f), q in shipped.items() if math.isnan(q)
    )
    return result, edc_curves(scores, groups)


def bench_accuracy(data: Path, n_boot: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``biocap bench`` accuracy hook: EDC on FVC 2002 (no non-fingerprint check).

    Returns the result (plus ``dataset``, ``groups``, ``honest``, ``notes``) and the curves for
    the plot as ``{"fractions": array, "groups": {group: {label: fnmr}}}``; or
    ``({"skipped": reason}, {})`` when the FVC sets or their reference files are missing.
    """
    if reason := missing_data_message(data):
        return {"skipped": reason}, {}
    notes = [f"{SHIPPED}: the shipped model was trained on these images"]
    cross_fit = have_sklearn()
    if not cross_fit:
        notes.append(f"{CROSS_FITTED}: skipped, scikit-learn not installed (biocap[train])")
    result, curves = evaluate(data, n_boot, cross_fit=cross_fit, non_fingerprint=False)
    result = {
        "dataset": "FVC 2002 DB1, DB3, DB4 (bozorth3 < 40 = false non-match)",
        "groups": [*FVC_SETS, "pooled"],
        "group_labels": {**{s: s.split("_")[1].upper() for s in FVC_SETS}, "pooled": "pooled"},
        "honest": CROSS_FITTED if cross_fit else None,
        "baseline": NFIQ2,
        "notes": notes,
        **result,
    }
    return result, {"fractions": fraction_grid(PLOT_MAX_FRACTION), "groups": curves}


def report(r: dict) -> str:
    """The full text report of ``benchmarks/finger_accuracy.py`` (needs ``n_boot`` > 0)."""
    sm = r["summaries"]
    lines = [
        "EDC AUC over 0-20 % discard of genuine comparisons (FNMR: bozorth3 < 40; lower is "
        f"better); 95 % finger-level bootstrap ({r['n_boot']} resamples)",
    ]
    for g in (*FVC_SETS, "pooled"):
        ref = sm[NFIQ2][g]
        lines += [
            "",
            f"{g}: {ref['n']} genuine comparisons, {ref['n_failed']} false non-matches "
            f"(FNMR {ref['fnmr']:.1%})",
            f"  {'score':40} {'AUC':>7} {'95 % CI':>17} {'gain':>6}   "
            f"{'- NFIQ 2':>8} {'paired 95 % CI':>17}",
        ]
        for name, by in sm.items():
            s = by[g]
            row = (
                f"  {name:40} {s['auc']:7.4f} [{s['ci'][0]:.4f}, {s['ci'][1]:.4f}] {s['gain']:6.2f}"
            )
            if s["diff_ci"] is not None:
                d = s["auc"] - s["baseline_auc"]
                row += f"   {d:+8.4f} [{s['diff_ci'][0]:+.4f}, {s['diff_ci'][1]:+.4f}]"
            lines.append(row)
        lines.append(f"  {'random':40} {ref['random']:7.4f}")
        lines.append(f"  {'oracle':40} {ref['oracle']:7.4f}")
    if "non_fingerprint_check" in r:
        lines += ["", "non-fingerprint check: scored 0 with finger.not_a_fingerprint"]
        for name, c in r["non_fingerprint_check"].items():
            lines.append(
                f"  {name:24} {c['rejected']:5d} / {c['images']:5d} = {c['share_rejected']:6.1%}"
                f"  ({c['share_rejected_of_decoded']:.1%} of decoded)"
            )
            real = name == "other real fingerprints"  # information: flagged real prints
            for label, files in (
                (
                    "flagged" if real else "not rejected",
                    c["rejected_files" if real else "not_rejected"],
                ),
                ("decode errors", c["decode_errors"]),
            ):
                if files:
                    more = f" (+{len(files) - 6} more)" if len(files) > 6 else ""
                    lines.append(f"    {label}: {', '.join(files[:6])}{more}")
    fvc = r["fvc_not_a_fingerprint"]
    lines.append(f"  FVC images given finger.not_a_fingerprint: {len(fvc)} (must be 0)")
    lines += [f"    {f}" for f in fvc]
    if r["shipped_failures"]:
        lines.append(f"  FVC images the shipped model failed to score: {r['shipped_failures']}")
    return "\n".join(lines)
