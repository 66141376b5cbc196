"""Local fingerprint defects (smudged, dry-broken, worn regions): detection and false alarms.

    .venv/bin/python benchmarks/finger_regions.py [--data DIR] [--alpha 0.02] [--out DIR]

- **Smallest region** (``region_min_area_mm2``) chosen on FVC 2002 DB1/DB3/DB4 alone: the
  smallest area at which at most ``--alpha`` of the prints get an error-severity region code.
  Chosen again without each finger in turn (leave one finger out, 30 folds), so the false-alarm
  rate reported for FVC is cross-fitted: no print is judged by a threshold its finger helped set.
- **Detection** on the altered prints of ``altered_haq`` labelled by eye
  (``benchmarks/data/altered_regions.tsv``: smudged, blurred, dotted; labelled before the
  detector existed). These never choose anything: they are the test.
- **False alarms**: FVC prints with an error-severity region code (cross-fitted and with the
  shipped threshold), and the warnings, per set.
- **Utility of each flag on FVC**: the share of a flagged print's genuine bozorth3 comparisons
  that fail (score < 40) against the unflagged prints: why ``finger.dry_broken`` stays a warning.
- **Scars** (``finger.scarred``) on the altered prints labelled ``cut`` in
  ``tests/finger/test_scars.py``, to show the region codes did not change them.
- **Cost**: CPU time of the region step per FVC DB1 print (median; the whole ``assess`` is
  timed by ``benchmarks/test_finger_speed.py``).

Writes ``finger_regions.json`` to ``--out`` (default ``out/bench``).
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import statistics
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import bench_env
import numpy as np

from biocap.assessment import Severity
from biocap.evaluation.finger_pairs import FVC_SETS, load_genuine_pairs
from biocap.finger import assess
from biocap.finger.core import analyse, features_of, prepare
from biocap.finger.defects import (
    BLOCK_MM2,
    DEFAULT_THRESHOLDS,
    DRY_BROKEN,
    SCARRED,
    SMUDGED_REGION,
    WORN,
)
from biocap.finger.measures import compute_measures
from biocap.finger.model import predict_utility
from biocap.finger.regions import find_regions
from biocap.io import read
from biocap.policy import decide, load_profile

LABELS = Path(__file__).resolve().parent / "data" / "altered_regions.tsv"
REGION_CODES = (SMUDGED_REGION, DRY_BROKEN, WORN)
#: label -> the code that counts as found
EXPECTED = {"smudged": SMUDGED_REGION, "dotted": DRY_BROKEN, "blurred": WORN}
#: candidate smallest areas: whole blocks, 2 to 30 (a hair below, so k blocks pass)
CANDIDATES = tuple(round(k * BLOCK_MM2 - 0.05, 1) for k in range(2, 31))


def read_labels(path: Path = LABELS) -> dict[str, dict[str, str]]:
    with path.open() as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        return {r["file"]: r for r in rows}


@dataclasses.dataclass
class Print:
    key: str  # set/file
    finger: str  # set/finger: the fold unit
    #: per candidate smallest area: the regions found, (code, severity, place, area mm2)
    by_area: dict[float, list[tuple[str, str, str, float]]]
    codes: list[str]  # assess() with the shipped thresholds
    severities: dict[str, str]
    places: dict[str, str]
    quality: int
    model_quality: int  # the utility model's, before the smudged share is taken off
    decision: str


def analyse_print(path: Path, set_name: str, profile) -> Print:
    capture = read(path, modality="finger")
    ctx = analyse(prepare(capture)[0])
    model_quality = predict_utility(features_of(ctx, compute_measures(ctx)))
    by_area = {}
    for area in CANDIDATES:  # the size filter comes before a smudge takes in its rim
        t = dataclasses.replace(DEFAULT_THRESHOLDS, region_min_area_mm2=area)
        by_area[area] = [
            (r.code, str(r.severity), r.place, float(r.blocks.sum()) * BLOCK_MM2)
            for r in find_regions(ctx, t)
        ]
    a = assess(capture)
    return Print(
        key=f"{set_name}/{path.name}",
        finger=f"{set_name}/{path.name.split('_')[0]}",
        by_area=by_area,
        codes=[d.code for d in a.defects],
        severities={d.code: str(d.severity) for d in a.defects},
        places={d.code: d.place or "whole" for d in a.defects},
        quality=a.quality,
        model_quality=model_quality,
        decision=str(decide(a, profile.rules("finger")).decision),
    )


def alarm(p: Print, min_area: float) -> bool:
    """An FVC print wrongly held up: a retake (an error-severity region) or called smudged.
    (Dry and worn warnings are not counted: FVC holds truly dry and shallow prints, below.)"""
    return any(
        sev == Severity.ERROR or code == SMUDGED_REGION for code, sev, _, _ in p.by_area[min_area]
    )


def choose_min_area(prints: list[Print], alpha: float) -> float:
    """Smallest candidate area from which on at most ``alpha`` of ``prints`` raise an error
    region (the rate is not monotone in the area: a smudge takes in its rim, and a larger
    region more often covers the core; the first dip under ``alpha`` is no safe choice)."""
    rates = [np.mean([alarm(p, area) for p in prints]) for area in CANDIDATES]
    chosen = CANDIDATES[-1]
    for area, rate in zip(reversed(CANDIDATES), reversed(rates), strict=True):
        if rate > alpha:
            break
        chosen = area
    return chosen


def cross_fitted_alarms(prints: list[Print], alpha: float) -> tuple[dict[str, bool], list[float]]:
    """Leave one finger out: each finger's prints judged at the area chosen without it."""
    alarms, chosen = {}, []
    for finger in sorted({p.finger for p in prints}):
        area = choose_min_area([p for p in prints if p.finger != finger], alpha)
        chosen.append(area)
        for p in prints:
            if p.finger == finger:
                alarms[p.key] = alarm(p, area)
    return alarms, chosen


def flag_utility(prints: list[Print], data: Path) -> dict[str, dict[str, dict[str, float]]]:
    """Per region code and FVC set: the share of failed genuine comparisons among the
    comparisons of prints with the code and among those of the other prints of the set."""
    failures: dict[str, list[bool]] = defaultdict(list)
    for s in FVC_SETS:
        g = load_genuine_pairs(s, data)
        for a, b, failed in zip(g.a, g.b, g.failed, strict=True):
            failures[f"{a[0]}/{a[1]}"].append(bool(failed))
            failures[f"{b[0]}/{b[1]}"].append(bool(failed))
    out: dict[str, dict[str, dict[str, float]]] = {}
    for code in REGION_CODES:
        for s in FVC_SETS:
            mine = [p for p in prints if p.key.startswith(s)]
            flagged = [f for p in mine if code in p.codes for f in failures[p.key]]
            if not flagged:
                continue
            other = [f for p in mine if code not in p.codes for f in failures[p.key]]
            out.setdefault(code, {})[s] = {
                "prints": sum(code in p.codes for p in mine),
                "fnmr_flagged": float(np.mean(flagged)),
                "fnmr_other": float(np.mean(other)),
            }
    return out


def alpha_sweep(fvc: list[Print], altered: dict[str, Print], labels: dict[str, dict[str, str]]):
    """For a few alphas: the area chosen, FVC prints held up (cross-fitted), smudges found."""
    smudged = [f for f, r in labels.items() if r["label"] == "smudged"]
    rows = []
    for alpha in (0.005, 0.01, 0.02, 0.05):
        area = choose_min_area(fvc, alpha)
        cf, _ = cross_fitted_alarms(fvc, alpha)
        found = sum(any(c == SMUDGED_REGION for c, *_ in altered[f].by_area[area]) for f in smudged)
        held = sum(cf.values()) / len(fvc)
        rows.append({"alpha": alpha, "min_area_mm2": area, "fvc_held_up_cross_fitted": held,
                     "smudged_found": found, "smudged": len(smudged)})  # fmt: skip
    return rows


def region_cpu_ms(data: Path, repeats: int = 5) -> float:
    """Median CPU ms of ``find_regions`` per FVC DB1 print (fields computed beforehand)."""
    ctxs = [analyse(prepare(read(p))[0]) for p in sorted((data / "finger" / FVC_SETS[0]).glob("*"))]
    per = []
    for ctx in ctxs:
        t0 = time.process_time()
        for _ in range(repeats):
            find_regions(ctx)
        per.append(1000 * (time.process_time() - t0) / repeats)
    return statistics.median(per)


def scar_labels() -> list[str]:
    sys.path.insert(0, str(bench_env.REPO))
    from tests.finger.test_scars import ALTERED_LABELS  # the by-eye cut labels

    return sorted(f for f, label in ALTERED_LABELS.items() if label == "cut")


def fvc_table(fvc: list[Print], held_cf: dict[str, bool]) -> dict[str, dict[str, object]]:
    print("\nFVC 2002: prints with an error-severity region code (a retake), held up (an error or")
    print("a smudge) with the area chosen without their finger, and the warnings")
    print(f"{'set':7s} {'n':>4s} {'error':>12s} {'held up, cf':>12s}  warnings")
    out = {}
    for s in (*FVC_SETS, "pooled"):
        mine = [p for p in fvc if s == "pooled" or p.key.startswith(s)]
        n = len(mine)
        errors = sum(any(p.severities.get(c) == "error" for c in REGION_CODES) for p in mine)
        held = sum(held_cf[p.key] for p in mine)
        warn = Counter(c for p in mine for c in REGION_CODES if p.severities.get(c) == "warning")
        out[s] = {"n": n, "error": errors, "held_up_cross_fitted": held, "warnings": dict(warn)}
        name = s if s == "pooled" else s[8:11]
        warned = ", ".join(f"{c[7:]} {k}" for c, k in sorted(warn.items())) or "-"
        e, h = 100 * errors / n, 100 * held / n
        print(f"{name:7s} {n:4d} {errors:4d} ({e:4.1f} %) {held:4d} ({h:4.1f} %)  {warned}")
    return out


def detection_table(altered: dict[str, Print], labels: dict[str, dict[str, str]]) -> dict:
    print("\naltered prints labelled by eye (benchmarks/data/altered_regions.tsv)")
    print(
        f"{'label':11s} {'n':>3s} {'found':>5s} {'error':>5s} {'place':>5s} {'accept':>6s}  missed"
    )
    out: dict[str, object] = {}
    for label, code in EXPECTED.items():
        files = [f for f, r in labels.items() if r["label"] == label]
        found = [f for f in files if code in altered[f].codes]
        errors = [f for f in found if altered[f].severities[code] == "error"]
        placed = [f for f in found if altered[f].places[code] == labels[f]["place"]]
        accepted = [f for f in files if altered[f].decision == "accept"]
        missed = sorted(set(files) - set(found))
        out[label] = {"code": code, "n": len(files), "found": len(found), "error": len(errors),
                      "place_as_labelled": len(placed), "accepted": len(accepted),
                      "missed": missed}  # fmt: skip
        print(
            f"{label:11s} {len(files):3d} {len(found):5d} {len(errors):5d} {len(placed):5d} "
            f"{len(accepted):6d}  {', '.join(missed) or '-'}"
        )
    also = [f for f, r in labels.items() if "dotted" in r["also"].split(",")]
    found_also = [f for f in also if DRY_BROKEN in altered[f].codes]
    out["also dotted"] = {"n": len(also), "found": len(found_also)}
    print(f"{'also dotted':11s} {len(also):3d} {len(found_also):5d}  (dots beside another label)")
    for name, group in (
        ("unaltered", [p for f, p in altered.items() if "__a" not in f]),
        ("other alt.", [p for f, p in altered.items() if "__a" in f and f not in labels]),
    ):
        codes = Counter(c for p in group for c in REGION_CODES if c in p.codes)
        errors = sum(any(p.severities.get(c) == "error" for c in REGION_CODES) for p in group)
        out[name] = {"n": len(group), "codes": dict(codes), "error": errors}
        listed = ", ".join(f"{c[7:]} {k}" for c, k in sorted(codes.items())) or "none"
        print(f"{name:11s} {len(group):3d}  region codes: {listed}; {errors} with an error")
    print("\nlabelled prints: quality (model -> with the smudged share taken off), decision")
    for f, r in labels.items():
        p = altered[f]
        local = ", ".join(
            f"{c[7:]} {p.severities[c]} @ {p.places[c]}" for c in REGION_CODES if c in p.codes
        )
        q = f"{p.model_quality:3d} -> {p.quality:3d}"
        print(f"  {f:17s} {r['label']:8s} {q} {p.decision:7s} {local}")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data folder")
    ap.add_argument("--out", type=Path, default=bench_env.REPO / "out" / "bench")
    ap.add_argument("--alpha", type=float, default=0.01, help="FVC prints held up, at most")
    args = ap.parse_args()
    data = bench_env.data_root(args.data)
    if reason := bench_env.missing_data_message(data):
        print(f"skipped: {reason}", file=sys.stderr)
        return 0
    bench_env.single_core()
    load_before = bench_env.load_average()
    profile = load_profile("default")
    fvc = [
        analyse_print(p, s, profile)
        for s in FVC_SETS
        for p in sorted((data / "finger" / s).glob("*.tif"))
    ]
    altered = {
        p.name: analyse_print(p, "altered_haq", profile)
        for p in sorted((data / "finger" / "altered_haq").glob("*.bmp"))
    }
    labels = read_labels()

    chosen = choose_min_area(fvc, args.alpha)
    held_cf, fold_areas = cross_fitted_alarms(fvc, args.alpha)
    shipped = DEFAULT_THRESHOLDS.region_min_area_mm2
    print(
        f"smallest region: {chosen:.1f} mm2 chosen on the FVC prints at alpha {args.alpha} "
        f"({min(fold_areas):.1f}-{max(fold_areas):.1f} over the 30 leave-one-finger-out folds); "
        f"shipped {shipped:.1f} mm2"
    )
    result: dict[str, object] = {
        "alpha": args.alpha,
        "min_area_mm2_chosen_on_fvc": chosen,
        "min_area_mm2_shipped": shipped,
        "fold_min_area_mm2": {"min": min(fold_areas), "max": max(fold_areas)},
        "fvc": fvc_table(fvc, held_cf),
        "altered": detection_table(altered, labels),
        "labelled": {
            f: {k: v for k, v in dataclasses.asdict(altered[f]).items() if k != "by_area"}
            for f in labels
        },
    }

    cuts = scar_labels()
    scarred = [f for f in cuts if SCARRED in altered[f].codes]
    result["scars"] = {"cut_prints": len(cuts), "scarred": len(scarred)}
    print(f"\nscars: {len(scarred)} of {len(cuts)} prints labelled cut get finger.scarred")

    utility = flag_utility(fvc, data)
    result["fvc_flag_utility"] = utility
    print("\nFVC genuine comparisons failing (bozorth3 < 40): prints with the code vs the others")
    for code, per_set in utility.items():
        for s, u in per_set.items():
            flagged, other = 100 * u["fnmr_flagged"], 100 * u["fnmr_other"]
            print(
                f"  {code:22s} {s[8:11]} {u['prints']:3d} prints {flagged:5.1f} % vs {other:5.1f} %"
            )

    sweep = alpha_sweep(fvc, altered, labels)
    result["alpha_sweep"] = sweep
    print("\nalpha  smallest region  FVC held up (cross-fitted)  smudged found")
    for r in sweep:
        held = 100 * r["fvc_held_up_cross_fitted"]
        print(
            f"{r['alpha']:5.3f}  {r['min_area_mm2']:8.1f} mm2  {held:20.1f} %"
            f"  {r['smudged_found']:7d} of {r['smudged']}"
        )

    ms = region_cpu_ms(data)
    result["region_cpu_ms_db1_median"] = ms
    result["load_average"] = {"before": load_before, "after": bench_env.load_average()}
    print(f"\nregion step (find_regions): {ms:.3f} ms CPU median per DB1 print, one thread")
    print(f"load average before {load_before}, after {bench_env.load_average()}")
    path = bench_env.write_json(args.out / "finger_regions.json", result)
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
