"""Train the fingerprint utility model and write models/finger_quality.onnx + manifest entry.

    pip install -e '.[train]'
    python models/train_finger_quality.py [--data ../shared/data]

Deterministic: same data and library versions give the same file (ridge regression, no
randomness in the fit). Prints the finger-level cross-fitted EDC beside NFIQ 2 so the number
that matters is seen before the file is committed.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from biocap.evaluation.finger_pairs import evaluate_sets, load_nfiq2_reference
from biocap.finger.training import (
    cross_fitted,
    export_onnx,
    fit,
    load_training_set,
    to_quality,
)
from biocap.models import sha256_file

HERE = Path(__file__).resolve().parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=HERE.parent.parent / "shared" / "data")
    args = ap.parse_args()

    ts = load_training_set(args.data)
    oof = dict(zip(ts.keys, to_quality(cross_fitted(ts), ts.smudged_share), strict=True))
    nfiq2 = load_nfiq2_reference(args.data)["nfiq2"]
    for name, s in evaluate_sets(oof, args.data, baseline=nfiq2).items():
        print(f"{name:14s} AUC {s.auc:.4f}  NFIQ 2 {s.baseline_auc:.4f}  diff CI {s.diff_ci}")

    out = HERE / "finger_quality.onnx"
    export_onnx(*fit(ts), out)
    manifest_path = HERE / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    manifest[out.name] = {"sha256": sha256_file(out), "bytes": str(out.stat().st_size)}
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out} sha256 {manifest[out.name]['sha256']}")


if __name__ == "__main__":
    main()
