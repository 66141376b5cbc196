"""Sequence-check matcher on FVC 2002 pairs: same finger vs another finger, at a fixed FMR.

The ten-print sequence check (:mod:`biocap.finger.slap.sequence`) asks whether two slap
segments show the same finger. This measures the minutiae matcher it uses on every pair the
shared data lists (``../shared/data/finger/pairs/<set>.tsv``: 280 genuine = impressions of one
finger, 2880 impostor = different fingers per set), reports the false non-match rate at a false
match rate of 0.1 % and 1 % (threshold from the impostor scores of the same set, and from all
three pooled), the CPU time per template and per comparison, and the rank correlation with
the NBIS bozorth3 scores listed beside each pair.

    taskset -c 1 .venv/bin/python benchmarks/slap_sequence.py
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from biocap.finger.slap.match import match  # noqa: E402
from biocap.finger.slap.minutiae import extract  # noqa: E402
from biocap.io import read  # noqa: E402

SETS = tuple(os.environ.get("SEQ_SETS", "fvc2002_db1_b,fvc2002_db3_b,fvc2002_db4_b").split(","))


def _rank(x: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(x)).astype(np.float64)


def fnmr_at(gen: np.ndarray, imp: np.ndarray, fmr: float) -> tuple[float, float]:
    """(threshold, FNMR) where at most ``fmr`` of the impostor scores exceed the threshold."""
    thr = float(np.quantile(imp, 1.0 - fmr, method="higher"))
    return thr, float((gen <= thr).mean())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    root = Path(os.environ.get("BIOCAP_SHARED_DATA", args.shared)) / "finger"
    if not root.is_dir():
        print(f"no shared data at {root}", file=sys.stderr)
        return 2
    load = os.getloadavg()
    out: dict[str, object] = {"load_average_before": [round(v, 2) for v in load]}
    pooled_g, pooled_i = [], []
    t_extract, t_match = [], []
    for name in SETS:
        templates = {}
        for path in sorted((root / name).glob("*.tif")):
            grey = read(path).grey()
            c0 = time.process_time()
            templates[path.name] = extract(grey)
            t_extract.append(time.process_time() - c0)
        gen, imp, boz = [], [], []
        with (root / "pairs" / f"{name}.tsv").open() as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                c0 = time.process_time()
                s = match(templates[row["a"]], templates[row["b"]])
                t_match.append(time.process_time() - c0)
                (gen if row["genuine"] == "1" else imp).append(s)
                boz.append((s, float(row["score"])))
        g, i = np.array(gen), np.array(imp)
        b = np.array(boz)
        rho = float(np.corrcoef(_rank(b[:, 0]), _rank(b[:, 1]))[0, 1])
        res = {
            "genuine": len(g),
            "impostor": len(i),
            "spearman_vs_bozorth3": round(rho, 3),
            "minutiae_median": float(np.median([len(t) for t in templates.values()])),
        }
        for fmr in (0.001, 0.01):
            thr, fnmr = fnmr_at(g, i, fmr)
            res[f"fnmr_at_fmr_{fmr}"] = round(fnmr, 4)
            res[f"threshold_at_fmr_{fmr}"] = round(thr, 4)
        out[name] = res
        pooled_g.append(g)
        pooled_i.append(i)
    g, i = np.concatenate(pooled_g), np.concatenate(pooled_i)
    for fmr in (0.001, 0.01):
        thr, fnmr = fnmr_at(g, i, fmr)
        out[f"pooled_fnmr_at_fmr_{fmr}"] = round(fnmr, 4)
        out[f"pooled_threshold_at_fmr_{fmr}"] = round(thr, 4)
    out["cpu_ms"] = {
        "extract_median": round(1000 * float(np.median(t_extract)), 2),
        "match_median": round(1000 * float(np.median(t_match)), 3),
    }
    out["load_average_after"] = [round(v, 2) for v in os.getloadavg()]
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
