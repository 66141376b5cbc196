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
from biocap.finger.slap.sequence import HAND_PAIRS, PAIR_FMR  # noqa: E402
from biocap.io import read  # noqa: E402

SETS = tuple(os.environ.get("SEQ_SETS", "fvc2002_db1_b,fvc2002_db3_b,fvc2002_db4_b").split(","))


def _rank(x: np.ndarray) -> np.ndarray:
    return np.argsort(np.argsort(x)).astype(np.float64)


def fnmr_at(gen: np.ndarray, imp: np.ndarray, fmr: float) -> tuple[float, float]:
    """(threshold, FNMR) where at most ``fmr`` of the impostor scores exceed the threshold."""
    thr = float(np.quantile(imp, 1.0 - fmr, method="higher"))
    return thr, float((gen <= thr).mean())


def hands(scores: dict, fingers: dict[str, list[str]], rng, n: int, rule) -> tuple[float, float]:
    """Share of simulated same-hand-twice slap pairs the ``rule`` flags, and of different-hand
    pairs it flags: a hand is 4 distinct fingers of a set, captured twice with different
    impressions (genuine), or set against 4 other fingers (impostor)."""
    names = sorted(fingers)
    flagged = [0, 0]
    for k in range(n):
        pick = rng.choice(len(names), size=8, replace=False)
        h1 = [names[i] for i in pick[:4]]
        h2 = h1 if k % 2 == 0 else [names[i] for i in pick[4:]]
        a = [fingers[f][int(rng.integers(0, 8))] for f in h1]
        b = []
        for f, img in zip(h2, a, strict=True):
            others = [x for x in fingers[f] if x != img]
            b.append(others[int(rng.integers(0, len(others)))])
        cross = np.array([[scores[(x, y)] for y in b] for x in a])
        flagged[k % 2] += bool(rule(cross))
    half = n / 2
    return flagged[0] / half, flagged[1] / half


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--hands", type=int, default=4000, help="simulated slap pairs per set")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    cv2.setNumThreads(1)
    root = Path(os.environ.get("BIOCAP_SHARED_DATA", args.shared)) / "finger"
    if not root.is_dir():
        print(f"no shared data at {root}", file=sys.stderr)
        return 2
    out: dict[str, object] = {"load_average_before": [round(v, 2) for v in os.getloadavg()]}
    t_extract, t_match = [], []
    per_set = {}
    for name in SETS:
        templates, fingers = {}, {}
        for path in sorted((root / name).glob("*.tif")):
            grey = read(path).grey()
            c0 = time.process_time()
            templates[path.name] = extract(grey)
            t_extract.append(time.process_time() - c0)
            fingers.setdefault(path.stem.split("_")[0], []).append(path.name)
        gen, imp, boz, scores = [], [], [], {}
        with (root / "pairs" / f"{name}.tsv").open() as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                c0 = time.process_time()
                s = match(templates[row["a"]], templates[row["b"]])
                t_match.append(time.process_time() - c0)
                scores[(row["a"], row["b"])] = scores[(row["b"], row["a"])] = s
                (gen if row["genuine"] == "1" else imp).append(s)
                boz.append((s, float(row["score"])))
        b = np.array(boz)
        per_set[name] = {
            "gen": np.array(gen),
            "imp": np.array(imp),
            "scores": scores,
            "fingers": fingers,
            "rho": float(np.corrcoef(_rank(b[:, 0]), _rank(b[:, 1]))[0, 1]),
            "minutiae": float(np.median([len(t) for t in templates.values()])),
        }
    rng = np.random.default_rng(13)
    for name, d in per_set.items():
        # thresholds from the other sets only: this set's prints never choose them
        others = np.concatenate([o["imp"] for k, o in per_set.items() if k != name])
        res = {
            "genuine": len(d["gen"]),
            "impostor": len(d["imp"]),
            "spearman_vs_bozorth3": round(d["rho"], 3),
            "minutiae_median": d["minutiae"],
        }
        for fmr in (0.001, 0.01):
            thr = float(np.quantile(others, 1.0 - fmr, method="higher"))
            res[f"pair_fnmr_at_fmr_{fmr}"] = round(float((d["gen"] <= thr).mean()), 4)
            res[f"pair_fmr_at_that_threshold_{fmr}"] = round(float((d["imp"] > thr).mean()), 4)
        thr = float(np.quantile(others, 1.0 - PAIR_FMR, method="higher"))
        det, fa = hands(d["scores"], d["fingers"], rng, args.hands,
                        lambda c, t=thr: (c > t).sum() >= HAND_PAIRS)  # fmt: skip
        res["same_hand_twice"] = {"detected": round(det, 4), "false_alarm": round(fa, 4),
                                  "pair_threshold": round(thr, 4)}  # fmt: skip
        out[name] = res
    g = np.concatenate([d["gen"] for d in per_set.values()])
    i = np.concatenate([d["imp"] for d in per_set.values()])
    for fmr in (0.001, 0.01):
        thr, fnmr = fnmr_at(g, i, fmr)
        out[f"pooled_fnmr_at_fmr_{fmr}"] = round(fnmr, 4)
        out[f"pooled_threshold_at_fmr_{fmr}"] = round(thr, 4)
    out["pooled_impostor_max"] = round(float(i.max()), 4)
    out["pooled_genuine_above_impostor_max"] = round(float((g > i.max()).mean()), 4)
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
