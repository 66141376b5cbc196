"""Face defect detection on the shared labelled sets: recall per defect and false alarms.

    .venv/bin/python benchmarks/face_accuracy.py [--shared ../shared/data] [--verbose] [--calibrate]

Labels come from ``face/MANIFEST.tsv`` (``label`` column) and, for glasses and backgrounds,
from ``benchmarks/data/face_labels.tsv`` (labelled here by looking; see benchmarks/README.md).
Yale faces are 320x243 greyscale archive images: they are scored with a "greyscale archive"
override (``min_ied_px=40``, ``require_colour=False``), as a station would set in its profile;
everything else uses the default thresholds. The older thresholds were checked on these same
images (no held-out set), so their numbers are optimistic; the glasses and background checks
are reported cross-fitted by subject (``face_calibration.py``), and ``--calibrate`` prints the
thresholds the rule picks on all images (the shipped defaults).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np
from face_calibration import choose, cross_fit
from face_glasses_synth import add_glare, add_tint

from biocap.capture import Capture
from biocap.errors import BiocapError
from biocap.face import DefectThresholds, assess
from biocap.face.context import FaceContext
from biocap.io import read

YALE = DefectThresholds(min_ied_px=40.0, require_colour=False)
LIGHT = ("face.uneven_light_left_dark", "face.uneven_light_right_dark")
REAL = "deepface,face_recognition"
#: ICAO's "neutral expression": an open mouth or a smile (Yale "happy" is a smile)
EXPRESSION = ("face.mouth_open", "face.smiling")

#: (set, label pattern) -> (defect name in the report, codes any of which counts as found)
RULES: list[tuple[str, str, str, tuple[str, ...]]] = [
    ("yalefaces", r"condition=(sleepy|wink);", "eyes closed (sleepy, wink)", ("face.eyes_closed",)),
    ("yalefaces", r"condition=(happy|surprised);", "mouth open / smile (happy, surprised)",
     EXPRESSION),
    ("yalefaces", r"condition=(leftlight|rightlight);", "side light (Yale)", LIGHT),
    ("synth_defects", r"side light|non-uniform illumination", "side light (synthetic)", LIGHT),
    ("synth_defects", r"Gaussian blur|motion blur", "blur", ("face.blurred",)),
    ("synth_defects", r"under-exposure", "under-exposure", ("face.too_dark",)),
    ("synth_defects", r"over-exposure", "over-exposure", ("face.too_bright",)),
    ("synth_defects", r"JPEG quality 5", "compression", ("face.compression_artefacts",)),
    ("synth_defects", r"Gaussian noise", "noise", ("face.noisy",)),
    ("synth_defects", r"roll\) 15", "roll 15 deg", ("face.head_tilted",)),
    ("synth_defects", r"cropped through the face", "crop", ("face.cropped",)),
    ("synth_defects", r"eyes occluded", "occluded eyes", ("face.eyes_occluded",)),
    ("synth_defects", r"mouth/lower face occluded", "occluded mouth", ("face.mouth_occluded",)),
    ("synth_defects", r"IED~30px", "small face (IED 30 px)", ("face.too_small",)),
    ("synth_defects", r"greyscale image", "greyscale", ("face.greyscale",)),
    ("synth_defects", r"colour cast", "colour cast", ("face.unnatural_colour",)),
    (REAL, r"DEFECT: (two|multiple|many) faces", "several faces", ("face.multiple_faces",)),
    (REAL, r"DEFECT:.*(small face|tiny face|low resolution)", "small face (real photos)",
     ("face.too_small", "face.too_far", "face.no_face")),
    (REAL, r"DEFECT:.*(broad smile|mouth open)", "mouth open / smile (real photos)",
     EXPRESSION),
    (REAL, r"DEFECT: face partially cut", "crop (real photos)", ("face.cropped",)),
]  # fmt: skip
CLEAN = [
    (
        "yalefaces",
        r"condition=(normal|noglasses|centerlight);",
        "Yale normal/noglasses/centerlight",
    ),
    ("synth_defects", r"reference \(no synthetic defect\)", "synthetic clean bases"),
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = os.environ.get(
        "BIOCAP_SHARED_DATA", str(Path(__file__).parents[1] / "../shared/data")
    )
    ap.add_argument("--shared", type=Path, default=Path(default))
    ap.add_argument("--verbose", action="store_true")
    ap.add_argument("--calibrate", action="store_true", help="print the thresholds on all images")
    args = ap.parse_args()
    root = args.shared / "face"
    manifest = root / "MANIFEST.tsv"
    if not manifest.is_file():
        print(f"no {manifest}: nothing to evaluate", file=sys.stderr)
        return 2
    hits: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    clean: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    alarms: dict[str, int] = defaultdict(int)
    misses: list[str] = []
    with manifest.open() as f:
        rows = [
            r
            for r in csv.DictReader(f, delimiter="\t")
            if r["file"].endswith(("png", "jpg", "jpeg"))
        ]
    labels = {(r["set"], r["file"]): r for r in _read_tsv(LABELS)}
    records: list[dict] = []
    for r in rows:
        try:
            cap = read(root / r["set"] / r["file"])
        except BiocapError as e:
            print(f"skip {r['set']}/{r['file']}: {e.code}", file=sys.stderr)
            continue
        t = YALE if r["set"] == "yalefaces" else None
        a = assess(cap, t)
        if (r["set"], r["file"]) in labels:
            records += _records(labels[(r["set"], r["file"])], cap, a, t)
        codes = {d.code for d in a.defects}
        if labels.get((r["set"], r["file"]), {}).get("glasses", "none") != "none":
            codes -= GLASSES_CODES  # Yale subject08 wears his glasses in "normal" too
        errors = {d.code for d in a.defects if d.severity == "error"} & codes
        for s, pat, name, want in RULES:
            if r["set"] in s.split(",") and re.search(pat, r["label"]):
                found = bool(codes & set(want))
                hits[name][0] += found
                hits[name][1] += 1
                if not found:
                    misses.append(f"  missed {name}: {r['set']}/{r['file']} -> {sorted(codes)}")
        for s, pat, name in CLEAN:
            if s == r["set"] and re.search(pat, r["label"]):
                clean[name][0] += bool(errors)
                clean[name][1] += bool(codes)
                clean[name][2] += 1
                for c in codes:
                    alarms[c] += 1
                if args.verbose and codes:
                    print(f"  alarm on {r['set']}/{r['file']}: {sorted(codes)}")
    print("recall per defect (images where any of the expected codes is raised)")
    for name, (k, n) in hits.items():
        print(f"  {name:36s} {k:3d}/{n:<3d} {k / n:5.2f}")
    print("false alarms on clean images (any error-severity defect / any defect at all)")
    for name, (ke, ka, n) in clean.items():
        print(f"  {name:36s} errors {ke:2d}/{n} ({ke / n:4.0%})   any {ka:2d}/{n} ({ka / n:4.0%})")
    print("  codes raised on clean images:", dict(sorted(alarms.items(), key=lambda kv: -kv[1])))
    if args.verbose:
        print("\n".join(misses))
    checks_report(records, args.calibrate)
    return 0


LABELS = Path(__file__).parent / "data" / "face_labels.tsv"
GLASSES_CODES = {"face.glasses", "face.glasses_glare", "face.glasses_tinted"}
RAW = ("glasses_frame", "lens_glare", "lens_tint", "background_clutter", "background_uniformity")


def _read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open() as f:
        return list(csv.DictReader(f, delimiter="\t"))


def _records(label: dict, cap: Capture, a, t: DefectThresholds | None) -> list[dict]:
    """One record per image, plus a synthetic glare and a tinted copy of a clear-glasses photo."""

    def rec(kind: str, assessment) -> dict:
        raw = {k: assessment.measures[k].raw if k in assessment.measures else np.nan for k in RAW}
        return {**label, "kind": kind, **raw}

    out = [rec("real", a)]
    if label["glasses"] in ("clear", "glare") and a.measures:
        px = cap.pixels[..., :3] if cap.pixels.ndim == 3 else cap.pixels
        ctx = FaceContext.build(np.ascontiguousarray(px))
        for kind, make in (("glare", add_glare), ("tint", add_tint)):
            out.append(rec(kind, assess(Capture(pixels=make(px, ctx), modality="face"), t)))
    return out


def _condition(r: dict) -> str:
    return r["file"].split(".")[1] if r["set"] == "yalefaces" else ""


#: check -> (measure, threshold field, universe, positive)
CHECKS = {
    "glasses (frames)": (
        "glasses_frame",
        "max_glasses_frame",
        lambda r: r["kind"] == "real" and "occl_eyes" not in r["file"],
        lambda r: r["glasses"] != "none",
    ),
    "glare on lenses": (
        "lens_glare",
        "max_lens_glare",
        lambda r: r["glasses"] != "none" and r["kind"] != "tint",
        lambda r: r["kind"] == "glare" or r["glasses"] == "glare",
    ),
    "tinted lenses": (
        "lens_tint",
        "max_lens_tint",
        lambda r: r["glasses"] != "none" and r["kind"] != "glare",
        lambda r: r["kind"] == "tint" or r["glasses"] == "tinted",
    ),
    "busy background": (
        "background_clutter",
        "max_background_clutter",
        lambda r: (
            r["kind"] == "real"
            and r["background"] in ("busy", "plain")
            and (r["set"] != "synth_defects" or "__original" in r["file"])
        ),
        lambda r: r["background"] == "busy",
    ),
    "background shadow (Yale side light)": (
        "background_uniformity",
        "max_background_spread",
        lambda r: (
            r["kind"] == "real"
            and r["background"] == "plain"
            and (r["set"] != "synth_defects" or "__original" in r["file"])
        ),
        lambda r: _condition(r) in ("leftlight", "rightlight"),
    ),
}
#: check -> rows of the report: (what, selection among the check's universe)
GROUPS = {
    "glasses (frames)": [
        ("Yale `glasses` (recall)", lambda r: _condition(r) == "glasses"),
        ("all real photos with glasses (recall)", lambda r: r["glasses"] != "none"),
        ("Yale noglasses + normal, no glasses (false alarms)",
         lambda r: _condition(r) in ("noglasses", "normal") and r["glasses"] == "none"),
        ("all images without glasses (false alarms)", lambda r: r["glasses"] == "none"),
    ],
    "glare on lenses": [
        ("synthetic glare on 18 real glasses (recall)", lambda r: r["kind"] == "glare"),
        ("real glare, Yale subject05 (recall)", lambda r: r["kind"] == "real"
         and r["glasses"] == "glare"),
        ("real glasses without glare (false alarms)", lambda r: r["kind"] == "real"
         and r["glasses"] != "glare"),
    ],
    "tinted lenses": [
        ("synthetic tint on 18 real glasses (recall)", lambda r: r["kind"] == "tint"),
        ("real sunglasses, Yale subject03 (recall)", lambda r: r["kind"] == "real"
         and r["glasses"] == "tinted"),
        ("real clear glasses (false alarms)", lambda r: r["kind"] == "real"
         and r["glasses"] != "tinted"),
    ],
    "busy background": [
        ("real photos labelled busy (recall)", lambda r: r["background"] == "busy"
         and r["set"] != "synth_defects"),
        ("synthetic bases labelled busy (recall)", lambda r: r["background"] == "busy"
         and r["set"] == "synth_defects"),
        ("Yale, all 87 (false alarms)", lambda r: r["set"] == "yalefaces"),
        ("synthetic clean bases labelled plain (false alarms)", lambda r: r["set"]
         == "synth_defects" and r["background"] == "plain"),
        ("real photos labelled plain (false alarms)", lambda r: r["background"] == "plain"
         and r["set"] in ("deepface", "face_recognition")),
    ],
    "background shadow (Yale side light)": [
        ("Yale left/right light (recall)", lambda r: _condition(r) in ("leftlight", "rightlight")),
        ("Yale other conditions (false alarms)", lambda r: r["set"] == "yalefaces"
         and _condition(r) not in ("leftlight", "rightlight")),
        ("plain real photos and bases (false alarms)", lambda r: r["set"] != "yalefaces"),
    ],
}  # fmt: skip


def checks_report(records: list[dict], calibrate: bool) -> None:
    """Per check: cross-fitted (leave one subject out) flags per group, beside the shipped
    threshold's in-sample flags."""
    shipped = DefectThresholds()
    print("\nglasses and background checks: flagged / images, thresholds cross-fitted by subject")
    print("(each image judged by a threshold chosen without its subject; in brackets: shipped)")
    for name, (measure, field, universe, positive) in CHECKS.items():
        rs = [r for r in records if universe(r)]
        v = np.array([r[measure] for r in rs], np.float64)
        pos = np.array([positive(r) for r in rs])
        flagged = cross_fit(v, pos, [r["subject"] for r in rs])
        limit = getattr(shipped, field)
        inside = np.nan_to_num(v, nan=-np.inf) > limit
        t_all = choose(v, pos)
        print(f"  {name}: {measure} > {limit:g} ({field}; the rule on all images: {t_all:.4g})")
        for what, sel in GROUPS[name]:
            idx = [i for i, r in enumerate(rs) if sel(r)]
            k, n = int(flagged[idx].sum()), len(idx)
            print(f"    {what:52s} {k:3d}/{n:<3d} {k / max(n, 1):5.2f}   "
                  f"[{int(inside[idx].sum())}/{n}]")  # fmt: skip
        if calibrate:
            print(f"    calibrate: {field} = {t_all:.4g}")


if __name__ == "__main__":
    sys.exit(main())
