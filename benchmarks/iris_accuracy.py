"""Iris utility report: EDC of the unified quality against two matchers, beside random discard.

    .venv/bin/python benchmarks/iris_accuracy.py [--data ../shared/data] [--boot 1000]

Prints (1) both matchers' own error rates per set (genuine / impostor distances, FNMR and FMR
at the operating threshold, FNMR at each set's FMR 1e-3), so their failures can be trusted;
(2) per matcher, set and pooled: FNMR, FNMR after discarding 10 % of genuine comparisons (pair
= min quality), the EDC AUC over 0-20 % beside random and oracle, and the 95 % eye-bootstrap
interval of AUC - random; (3) issue 14's targets, met or not. The cross-fitted (by eye) rows
are the honest ones; the shipped weights were fitted on these images. Also the eye gate on
faces and fingerprints (share given ``iris.not_an_eye``) and the median assess time per set.
Our matcher's scores are made here, every run (~1 min): the sets' licences (research use, no
redistribution) are not read as allowing derived per-image scores in the repository;
``benchmarks/iris_pairs.py`` writes them to files in the shared pairs' layout.
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
    ap.add_argument("--boot", type=int, default=1000, help="eye-bootstrap resamples")
    ap.add_argument("--no-gate", action="store_true", help="skip the eye-gate check")
    args = ap.parse_args()
    if reason := missing_data_message(args.data):
        raise SystemExit(reason)
    result, _ = evaluate(args.data, n_boot=args.boot)
    print(report(result))
    if not args.no_gate:
        print("\n".join(gate_check(args.data)))


if __name__ == "__main__":
    main()
