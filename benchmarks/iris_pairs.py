"""Pair scores of biocap's evaluation iris matcher, in the shared pairs' layout.

    .venv/bin/python benchmarks/iris_pairs.py [--data ../shared/data] [--out out/iris_pairs]

Segments every image of casia_v1, casia_interval and mmu2 with biocap's iris core, encodes it
(``biocap.evaluation.iris_code``) and matches every pair of a set (``iris_match``), writing
``<out>/<set>.pairs.tsv.gz`` with ``a b genuine hamming`` like ``../shared/data/iris/pairs``.
The default ``out/`` is git-ignored: the sets are research-only with no redistribution, and
the scores are made again in about a minute (``benchmarks/iris_accuracy.py`` does so itself).
Prints each set's genuine / impostor distances and FNMR at FMR 1e-3 beside the shared pairs'.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from biocap.evaluation.iris_pairs import read_pairs, set_pairs, summary, write_pairs
from biocap.iris.tuning import IRIS_SETS, eye_ids

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=REPO / "out" / "iris_pairs")
    args = ap.parse_args()
    eyes = eye_ids(args.data)
    keys = ("genuine_median", "impostor_mean", "impostor_sd", "threshold_fmr_1e-3")
    for s in IRIS_SETS:
        t = time.process_time()
        ours = set_pairs(args.data / "iris" / s, {n: e for (t_, n), e in eyes.items() if t_ == s})
        cpu = time.process_time() - t
        path = args.out / f"{s}.pairs.tsv.gz"
        write_pairs(path, ours)
        shared = read_pairs(args.data / "iris" / "pairs" / f"{s}.pairs.tsv.gz")
        print(f"{s}: {len(ours.a)} pairs -> {path} ({cpu:.1f} s CPU)")
        for label, p in (("biocap", ours), ("shared", shared)):
            r = summary([p], 0.41)
            print(
                f"  {label:7}"
                + " ".join(f"{k} {r[k]:.3f}" for k in keys)
                + f" FNMR@1e-3 {r['fnmr_at_own_fmr_1e-3']:.1%}"
            )


if __name__ == "__main__":
    main()
