"""Fingerprint utility beside NFIQ 2 (EDC against bozorth3), and the non-fingerprint check.

    python benchmarks/finger_accuracy.py [--data DIR] [--out DIR] [--n-boot 1000]

A thin wrapper over :mod:`biocap.bench.finger.accuracy` (the scores compared, the protocol and
the report are described there; ``biocap bench`` shows the same EDC without the non-fingerprint
check and with a smaller bootstrap). Needs scikit-learn for the cross-fitted number.
Writes ``finger_accuracy.json`` and ``finger_edc.png`` to --out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import bench_env

from biocap.bench.finger.accuracy import CROSS_FITTED, NFIQ2, PLOT_MAX_FRACTION, evaluate, report
from biocap.bench.plot import edc_panels
from biocap.evaluation import fraction_grid


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=None, help="shared data folder")
    ap.add_argument("--out", type=Path, default=bench_env.REPO / "out" / "bench")
    ap.add_argument("--n-boot", type=int, default=1000, help="bootstrap resamples (>= 1)")
    args = ap.parse_args()
    if args.n_boot < 1:
        ap.error("--n-boot must be >= 1")
    data = bench_env.data_root(args.data)
    if reason := bench_env.missing_data_message(data):
        print(f"skipped: {reason}", file=sys.stderr)
        return 0
    result, curves = evaluate(data, args.n_boot)
    print(report(result))
    path = bench_env.write_json(args.out / "finger_accuracy.json", result)
    png = edc_panels(
        curves,
        fraction_grid(PLOT_MAX_FRACTION),
        args.out / "finger_edc.png",
        labels=(CROSS_FITTED, NFIQ2, "random", "oracle"),
        title="Error versus discard, FVC 2002 (biocap cross-fitted by finger)",
    )
    print(f"\nwrote {path} and {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
