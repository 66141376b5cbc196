"""Slap segmentation benchmark: SlapSeg III box rule, position codes, missing fingers, CPU time.

Generates slaps at benchmark time (never committed: the prints are research-licensed) from the
shared real prints with the held-out generator style and seed range, into a temporary folder,
writes their SlapSeg III ground truth there, then segments and scores each slap from the PNG
file (decode not timed; ``assess_slap`` = segmentation + the finger core on every finger).

    .venv/bin/python benchmarks/slap_accuracy.py --slaps 300          # held-out style
    taskset -c 1 .venv/bin/python benchmarks/slap_accuracy.py --slaps 60 --speed-only

Development used DEV_STYLE with seed 1 and prints of FVC 2002 DB1 + DB4, and HELD_OUT_STYLE
with seed 7 (all prints); this default run uses HELD_OUT_STYLE with seed 2026, whose slaps
development looked at only twice (the totals, and one list of unnamed missing fingers).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from biocap.capture import Capture  # noqa: E402
from biocap.evaluation.slapseg import box_correct, box_iou  # noqa: E402
from biocap.finger.slap import assess_slap  # noqa: E402
from biocap.finger.slap import generate as G  # noqa: E402
from biocap.io import read  # noqa: E402
from biocap.runtime import tune_allocator  # noqa: E402

SETS = ("fvc2002_db1_b", "fvc2002_db3_b", "fvc2002_db4_b", "altered_haq", "nfiq2_examples")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--slaps", type=int, default=300)
    ap.add_argument("--seed", type=int, default=2026)
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--style", choices=("held_out", "dev"), default="held_out")
    ap.add_argument("--json", type=Path, default=None)
    ap.add_argument("--speed-only", action="store_true")
    args = ap.parse_args()
    tune_allocator()
    cv2.setNumThreads(1)
    root = Path(os.environ.get("BIOCAP_SHARED_DATA", args.shared)) / "finger"
    sources = G.load_sources(root, SETS) if root.is_dir() else G.synthetic_sources(16)
    style = G.HELD_OUT_STYLE if args.style == "held_out" else G.DEV_STYLE
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="biocap-slaps-") as tmp:
        out = Path(tmp)
        truths = G.generate_set(out, sources, args.slaps, args.seed, style)
        boxed = positioned = total = 0
        ious, missing_by_how = [], {}
        missing_total = missing_found = missing_named = 0
        false_missing = present_total = 0
        cpu, per_kind = [], {}
        for t in truths:
            cap = read(out / t.filename, ppi=500.0)
            c0 = time.process_time()
            a = assess_slap(Capture(cap.pixels, None, 500.0, "caller"), t.kind)
            cpu.append(1000 * (time.process_time() - c0))
            per_kind.setdefault(t.kind, []).append(cpu[-1])
            if args.speed_only:
                continue
            by_pos = {f.position: f for f in a.fingers}
            for f in t.fingers:
                total += 1
                truth = np.array(f.corners)
                hit = any(box_correct(g.segment.corners, truth) for g in a.fingers)
                boxed += hit
                mine = by_pos.get(f.frgp)
                positioned += mine is not None and box_correct(mine.segment.corners, truth)
                ious.append(max((box_iou(g.segment.corners, truth) for g in a.fingers), default=0))
            present = {f.frgp for f in t.fingers}
            for frgp, how in t.missing.items():
                missing_total += 1
                missing_found += bool(a.missing)
                missing_named += frgp in a.missing
                named = missing_by_how.setdefault(how, [0, 0])
                named[0] += 1
                named[1] += frgp in a.missing
            present_total += len(present)
            false_missing += len(present & set(a.missing))
    load_after = os.getloadavg()
    result = {
        "slaps": args.slaps,
        "style": args.style,
        "seed": args.seed,
        "cpu_ms": {
            "p50": round(float(np.median(cpu)), 2),
            "p95": round(float(np.percentile(cpu, 95)), 2),
            "mean": round(float(np.mean(cpu)), 2),
            "by_kind_p50": {k: round(float(np.median(v)), 2) for k, v in per_kind.items()},
        },
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "load_average_before": [round(v, 2) for v in load_before],
        "load_average_after": [round(v, 2) for v in load_after],
    }
    if not args.speed_only:
        result |= {
            "fingers": total,
            "boxed": round(boxed / total, 4),
            "boxed_with_right_position": round(positioned / total, 4),
            "missing_fingers": missing_total,
            "missing_reported": round(missing_found / max(missing_total, 1), 4),
            "missing_named": round(missing_named / max(missing_total, 1), 4),
            "false_missing": round(false_missing / max(present_total, 1), 4),
            "missing_named_by_how": {k: f"{v[1]}/{v[0]}" for k, v in missing_by_how.items()},
            # how tight the boxes are, beside the lenient SlapSeg III rule
            "box_iou_median": round(float(np.median(ious)), 3),
            "box_iou_at_least_0.7": round(float(np.mean(np.array(ious) >= 0.7)), 4),
        }
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
