"""Fingerprint utility beside NFIQ 2 (EDC against bozorth3), and the non-fingerprint check.

    python benchmarks/finger_accuracy.py [--data DIR] [--out DIR] [--n-boot 1000]

Scores compared on the three FVC 2002 sets, per set and pooled (protocol: shared data README):
- biocap cross-fitted: finger-level out-of-fold predictions of the utility model
  (``training.cross_fitted`` -> ``to_quality``); no image is scored by a model that saw its
  finger. This is the honest number.
- biocap shipped: ``biocap.finger.assess`` with the model in ``models/``, which was trained on
  these very images: in-sample, optimistic, reported apart.
- NFIQ 2 and the mindtct minutiae count (``finger/nfiq2_scores.tsv``), random and oracle.
EDC AUC over 0-20 % discard, gain, finger-level bootstrap 95 % intervals and the paired
bootstrap interval of (score - NFIQ 2): entirely below 0 = better than NFIQ 2 beyond noise.
Writes ``finger_accuracy.json`` and ``finger_edc.png`` to --out.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
from pathlib import Path

import bench_env
import numpy as np

from biocap.assessment import QUALITY_FAILURE
from biocap.errors import BiocapError
from biocap.evaluation import edc_curve, fraction_grid
from biocap.evaluation.finger_pairs import (
    FVC_SETS,
    GenuinePairs,
    evaluate_sets,
    load_genuine_pairs,
    load_nfiq2_reference,
)
from biocap.finger import assess
from biocap.finger.defects import NOT_A_FINGERPRINT
from biocap.finger.training import cross_fitted, load_training_set, to_quality
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

Key = tuple[str, str]


def score_file(path: Path) -> tuple[float, list[str], str | None]:
    """(quality or NaN on failure, defect codes, error code) of one file via ``assess``."""
    try:
        a = assess(read(path, modality="finger"))
    except BiocapError as e:
        return math.nan, [], e.code
    q = math.nan if a.quality == QUALITY_FAILURE else float(a.quality)
    return q, [d.code for d in a.defects], None


def shipped_scores(data: Path) -> tuple[dict[Key, float], list[str]]:
    """Shipped-model quality of every FVC image; and the FVC images called not a fingerprint."""
    quality: dict[Key, float] = {}
    rejected = []
    for s in FVC_SETS:
        for path in sorted((data / "finger" / s).glob("*.tif")):
            q, codes, _ = score_file(path)
            quality[(s, path.name)] = q
            if NOT_A_FINGERPRINT in codes:
                rejected.append(f"{s}/{path.name}")
    return quality, rejected


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


def edc_curves(
    scores: dict[str, dict[Key, float]], groups: dict[str, GenuinePairs]
) -> dict[str, dict[str, np.ndarray]]:
    """FNMR over 0-30 % discard per group for each score, random and oracle."""
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


def plot_panels(curves: dict[str, dict[str, np.ndarray]], path: Path) -> Path:
    """One EDC panel per set + pooled (``biocap.evaluation.plot.plot_edc`` draws one panel)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    style = {
        CROSS_FITTED: dict(color="C0", lw=2),
        NFIQ2: dict(color="C1", lw=2),
        "random": dict(color="grey", ls="--"),
        "oracle": dict(color="k", ls=":"),
    }
    f = fraction_grid(PLOT_MAX_FRACTION) * 100
    fig = Figure(figsize=(10, 7), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (group, by_score) in zip(axes, curves.items(), strict=True):
        for label, kw in style.items():
            ax.plot(f, by_score[label], label=label, **kw)
        ax.axvline(20, color="grey", lw=0.5)  # AUC range ends here
        ax.set_title(group)
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3)
    for ax in axes[2:]:
        ax.set_xlabel("discarded genuine comparisons (%)")
    for ax in axes[::2]:
        ax.set_ylabel("FNMR (bozorth3 < 40)")
    axes[0].legend()
    fig.suptitle("Error versus discard, FVC 2002 (biocap cross-fitted by finger)")
    fig.savefig(path, dpi=120)
    return path


def evaluate(data: Path, n_boot: int) -> tuple[dict, dict]:
    ts = load_training_set(data)
    cross = dict(zip(ts.keys, to_quality(cross_fitted(ts)).tolist(), strict=True))
    shipped, fvc_rejected = shipped_scores(data)
    ref = load_nfiq2_reference(data, ("nfiq2", "mindtct_min"))
    scores = {
        CROSS_FITTED: cross,
        SHIPPED: shipped,
        NFIQ2: ref["nfiq2"],
        MINUTIAE: ref["mindtct_min"],
    }
    summaries = {
        name: evaluate_sets(
            q, data, baseline=None if name == NFIQ2 else ref["nfiq2"], n_boot=n_boot
        )
        for name, q in scores.items()
    }
    per_set = {s: load_genuine_pairs(s, data) for s in FVC_SETS}
    groups = {**per_set, "pooled": GenuinePairs.concat(list(per_set.values()))}
    curves = edc_curves(scores, groups)
    result = {
        "n_boot": n_boot,
        "summaries": {
            name: {g: {**dataclasses.asdict(s), "fnmr": s.fnmr} for g, s in by.items()}
            for name, by in summaries.items()
        },
        "fvc_not_a_fingerprint": fvc_rejected,
        "non_fingerprint_check": non_fingerprint_check(data),
        "shipped_failures": sorted(f"{s}/{f}" for (s, f), q in shipped.items() if math.isnan(q)),
    }
    return result, curves


def report(r: dict) -> str:
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


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data folder")
    ap.add_argument("--out", type=Path, default=bench_env.REPO / "out" / "bench")
    ap.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples")
    args = ap.parse_args()
    data = bench_env.data_root(args.data)
    if reason := bench_env.missing_data_message(data):
        print(f"skipped: {reason}", file=sys.stderr)
        return 0
    result, curves = evaluate(data, args.n_boot)
    print(report(result))
    path = bench_env.write_json(args.out / "finger_accuracy.json", result)
    png = plot_panels(curves, args.out / "finger_edc.png")
    print(f"\nwrote {path} and {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
