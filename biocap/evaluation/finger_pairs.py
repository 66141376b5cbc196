"""Fingerprint EDC inputs from ``../shared/data/finger``: bozorth3 genuine pairs and NFIQ 2 scores.

Only reading and keying lives here; the EDC math is modality-free (``edc.py``), so the iris
loader can reuse it with its own failure rule (Hamming distance > 0.41).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from biocap.evaluation.edc import MAX_FRACTION, STEP, EdcSummary, summarize

ImageKey = tuple[str, str]  # (set, file), as in nfiq2_scores.tsv and MANIFEST.tsv
FVC_SETS = ("fvc2002_db1_b", "fvc2002_db3_b", "fvc2002_db4_b")
BOZORTH3_THRESHOLD = 40  # README: at 40 no impostor pair of the FVC sets matches
NFIQ2_COLUMNS = ("nfiq2", "t_full_ms", "t_nfiq2_ms", "fjfx_min", "mindtct_min")


@dataclass(frozen=True)
class GenuinePairs:
    """Genuine comparisons, one entry each: the two images, the cluster and the matcher outcome."""

    a: list[ImageKey]
    b: list[ImageKey]
    cluster: np.ndarray  # "set/finger": the independent unit for the bootstrap
    failed: np.ndarray  # bool, the comparison is a false non-match

    def pair_quality(self, quality: Mapping[ImageKey, float]) -> np.ndarray:
        """min(q[a], q[b]): a comparison is only as good as its worse capture.

        A NaN quality (failure to assess) counts as the worst, since a station would retake it.
        A missing image raises KeyError: silently dropping it would bias the curve.
        """
        qa = np.array([quality[k] for k in self.a], dtype=float)
        qb = np.array([quality[k] for k in self.b], dtype=float)
        return np.nan_to_num(np.minimum(qa, qb), nan=-np.inf)

    @staticmethod
    def concat(parts: Sequence[GenuinePairs]) -> GenuinePairs:
        """Pool sets: clusters stay distinct because they carry the set name."""
        return GenuinePairs(
            a=[k for p in parts for k in p.a],
            b=[k for p in parts for k in p.b],
            cluster=np.concatenate([p.cluster for p in parts]),
            failed=np.concatenate([p.failed for p in parts]),
        )


def load_genuine_pairs(
    set_name: str, data_root: Path, threshold: float = BOZORTH3_THRESHOLD
) -> GenuinePairs:
    """Genuine rows of ``finger/pairs/<set>.tsv``; failed = bozorth3 score < threshold."""
    a, b, cluster, failed = [], [], [], []
    with open(Path(data_root) / "finger" / "pairs" / f"{set_name}.tsv", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["genuine"] != "1":
                continue
            a.append((set_name, row["a"]))
            b.append((set_name, row["b"]))
            cluster.append(f"{set_name}/{row['finger_a']}")
            failed.append(float(row["score"]) < threshold)
    return GenuinePairs(a, b, np.array(cluster), np.array(failed, dtype=bool))


def load_nfiq2_reference(
    data_root: Path, columns: Iterable[str] = NFIQ2_COLUMNS
) -> dict[str, dict[ImageKey, float]]:
    """Columns of ``finger/nfiq2_scores.tsv`` as {column: {(set, file): value}}; blank = NaN."""
    cols = tuple(columns)
    out: dict[str, dict[ImageKey, float]] = {c: {} for c in cols}
    with open(Path(data_root) / "finger" / "nfiq2_scores.tsv", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            key = (row["set"], row["file"])
            for c in cols:
                out[c][key] = float(row[c]) if row[c].strip() else math.nan
    return out


def evaluate_sets(
    quality: Mapping[ImageKey, float],
    data_root: Path,
    sets: Sequence[str] = FVC_SETS,
    baseline: Mapping[ImageKey, float] | None = None,
    threshold: float = BOZORTH3_THRESHOLD,
    max_fraction: float = MAX_FRACTION,
    step: float = STEP,
    n_boot: int = 1000,
    seed: int = 0,
) -> dict[str, EdcSummary]:
    """EDC summary per set and ``"pooled"`` (all sets' genuine comparisons together).

    With a baseline (e.g. NFIQ 2) each summary also holds its AUC and the paired-bootstrap
    interval of the AUC difference, which is what decides a win beyond noise.
    """
    per_set = {s: load_genuine_pairs(s, data_root, threshold) for s in sets}
    groups = {**per_set, "pooled": GenuinePairs.concat(list(per_set.values()))}
    return {
        name: summarize(
            g.pair_quality(quality),
            g.failed,
            g.cluster,
            None if baseline is None else g.pair_quality(baseline),
            max_fraction,
            step,
            n_boot,
            seed,
        )
        for name, g in groups.items()
    }
