"""Face defect detection on the shared labelled sets: recall per defect and false alarms.

    .venv/bin/python benchmarks/face_accuracy.py [--shared ../shared/data] [--verbose]

Labels come from ``face/MANIFEST.tsv`` (``label`` column). Yale faces are 320x243 greyscale
archive images: they are scored with a "greyscale archive" override (``min_ied_px=40``,
``require_colour=False``), as a station would set in its profile; everything else uses the
default thresholds. The thresholds were checked on these same images (there is no held-out
set), so the numbers are optimistic.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections import defaultdict
from pathlib import Path

from biocap.errors import BiocapError
from biocap.face import DefectThresholds, assess
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
    for r in rows:
        try:
            cap = read(root / r["set"] / r["file"])
        except BiocapError as e:
            print(f"skip {r['set']}/{r['file']}: {e.code}", file=sys.stderr)
            continue
        a = assess(cap, YALE if r["set"] == "yalefaces" else None)
        codes = {d.code for d in a.defects}
        errors = {d.code for d in a.defects if d.severity == "error"}
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
