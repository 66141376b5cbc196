"""Pair scores of the evaluation iris matcher on a folder of eye images, in the shared layout.

``../shared/data/iris/pairs/<set>.pairs.tsv.gz`` holds, for every pair of a set's images,
``a  b  genuine  hamming``; :func:`write_pairs` writes this matcher's scores the same way, so
one loader reads either. ``genuine`` comes from the set's ``MANIFEST.tsv`` eye ids.
"""

from __future__ import annotations

import csv
import gzip
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from biocap.errors import BiocapError
from biocap.io import read

from .iris_code import IrisCode, iris_code
from .iris_match import all_pairs

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")


def encode_image(path: Path) -> IrisCode | None:
    """Segment with biocap's iris core and encode; None when the file or the iris is unusable."""
    from biocap.iris.core import analyse

    try:
        grey = read(path, modality="iris").grey()
    except BiocapError:
        return None
    ctx = analyse(grey)
    return iris_code(grey, ctx.seg, ctx.sheet)


@dataclass(frozen=True)
class PairScores:
    """Every pair ``a < b`` (file names, sorted) of one set with its distance."""

    a: list[str]
    b: list[str]
    genuine: np.ndarray  # bool
    hamming: np.ndarray


def score_pairs(
    names: list[str], codes: list[IrisCode | None], eye_of: Mapping[str, str]
) -> PairScores:
    order = np.argsort(names)
    names = [names[i] for i in order]
    d = all_pairs([codes[i] for i in order])
    i, j = np.triu_indices(len(names), 1)
    eye = np.array([eye_of[n] for n in names])
    return PairScores(
        [names[k] for k in i], [names[k] for k in j], eye[i] == eye[j], d[i, j].astype(float)
    )


def set_pairs(
    folder: Path, eye_of: Mapping[str, str], codes: Mapping[str, IrisCode | None] | None = None
) -> PairScores:
    """All pairs of the images in ``folder`` that ``eye_of`` knows (codes made unless given)."""
    names = sorted(p.name for p in Path(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    names = [n for n in names if n in eye_of]
    made = [codes[n] if codes is not None else encode_image(Path(folder) / n) for n in names]
    return score_pairs(names, made, eye_of)


def write_pairs(path: Path, pairs: PairScores) -> None:
    """gzip TSV ``a b genuine hamming`` (4 decimals), as the shared pairs are written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with gzip.open(path, "wt", newline="", compresslevel=9) as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["a", "b", "genuine", "hamming"])
        for a, b, g, h in zip(pairs.a, pairs.b, pairs.genuine, pairs.hamming, strict=True):
            w.writerow([a, b, int(g), f"{h:.4f}"])


def read_pairs(path: Path) -> PairScores:
    a, b, g, h = [], [], [], []
    with gzip.open(path, "rt", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            a.append(r["a"])
            b.append(r["b"])
            g.append(r["genuine"] == "1")
            h.append(float(r["hamming"]))
    return PairScores(a, b, np.array(g, bool), np.array(h))


def threshold_at_fmr(impostor: np.ndarray, fmr: float) -> float:
    """Largest distance whose share of impostor comparisons at or below it is <= ``fmr``."""
    d = np.sort(np.asarray(impostor, float))
    k = int(np.floor(fmr * d.size))
    return float(d[k] - 1e-9) if k < d.size else float(d[-1])


def fnmr_at(genuine: np.ndarray, threshold: float) -> float:
    return float(np.mean(np.asarray(genuine) > threshold))


def summary(scores: Iterable[PairScores], threshold: float) -> dict[str, float]:
    """Genuine / impostor distributions and the error rates at ``threshold``."""
    parts = list(scores)
    g = np.concatenate([p.hamming[p.genuine] for p in parts])
    i = np.concatenate([p.hamming[~p.genuine] for p in parts])
    return {
        "genuine": int(g.size),
        "impostor": int(i.size),
        "genuine_median": float(np.median(g)),
        "genuine_p90": float(np.percentile(g, 90)),
        "impostor_mean": float(i.mean()),
        "impostor_sd": float(i.std()),
        "impostor_p0.1": float(np.percentile(i, 0.1)),
        "fnmr": fnmr_at(g, threshold),
        "fmr": float(np.mean(i <= threshold)),
        "threshold_fmr_1e-3": threshold_at_fmr(i, 1e-3),
        "fnmr_at_own_fmr_1e-3": fnmr_at(g, threshold_at_fmr(i, 1e-3)),
        "no_match": float(np.mean(np.r_[g, i] >= 1.0)),
    }
