"""Iris utility report: EDC of the unified quality per set and pooled, beside random discard.

    .venv/bin/python benchmarks/iris_accuracy.py [--data ../shared/data]

Prints, per set: FNMR (Hamming > 0.41), FNMR after discarding the lowest 10 % of genuine
comparisons (pair = min quality) and after discarding the lowest 10 % of images, the oracle
at 10 %, and the EDC AUC over 0-20 % beside random and oracle. The cross-fitted (by eye) row
is the honest one; the shipped weights were fitted on these images. Also the eye gate on
faces and fingerprints (share given ``iris.not_an_eye``) and the median assess time per set.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from biocap.bench.iris.accuracy import evaluate, missing_data_message, report
from biocap.io import read
from biocap.iris import assess

SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff"}


def gate_check(data: Path) -> list[str]:
    lines = ["", "eye gate: share of images given iris.not_an_eye (want 100 % non-eyes, 0 % eyes)"]
    for label, folder in (
        ("face", data / "face"),
        ("finger", data / "finger"),
        ("iris", data / "iris"),
    ):
        paths = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)
        hit, ms, n = 0, [], 0
        for p in paths:
            try:
                cap = read(p, modality="iris")
            except Exception:  # a file the decoder refuses is not part of this check
                continue
            t = time.perf_counter()
            a = assess(cap)
            ms.append(1000 * (time.perf_counter() - t))
            n += 1
            hit += a.has("iris.not_an_eye")
        lines.append(
            f"  {label:7} {hit:4d} / {n:4d} = {hit / max(n, 1):6.1%}   median assess "
            f"{np.median(ms):.1f} ms"
        )
    return lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data"
    )
    args = ap.parse_args()
    if reason := missing_data_message(args.data):
        raise SystemExit(reason)
    result, _ = evaluate(args.data)
    print(report(result))
    print("\n".join(gate_check(args.data)))


if __name__ == "__main__":
    main()
