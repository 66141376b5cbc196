"""Training and honest evaluation of the utility model (needs the ``train`` extra: scikit-learn).

Target: for each image, the mean over its genuine comparisons of min(bozorth3 score, 100) / 100,
so an image that keeps failing or barely matching its own finger scores low. Evaluation is
cross-fitted by *finger* (all impressions of a finger are in the same fold), so the reported
error-versus-discard never scores an image with a model that saw that finger.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from biocap.io import read

from .core import analyse, features_of, prepare
from .defects import SMUDGED_REGION
from .features import FEATURE_NAMES
from .measures import compute_measures
from .regions import find_regions

FVC_SETS = ("fvc2002_db1_b", "fvc2002_db3_b", "fvc2002_db4_b")
SCORE_CAP = 100.0


@dataclass(frozen=True)
class TrainingSet:
    keys: list[tuple[str, str]]  # (set, file)
    x: np.ndarray  # (n, len(FEATURE_NAMES))
    y: np.ndarray  # (n,) target in [0, 1]
    groups: np.ndarray  # (n,) "set/finger": one fold unit
    #: (n,) share of the foreground in smudged regions, which ``assess`` takes off the quality
    smudged_share: np.ndarray


def load_training_set(data_root: Path, sets: Iterable[str] = FVC_SETS) -> TrainingSet:
    keys, rows, targets, groups, smudged = [], [], [], [], []
    for name in sets:
        scores: dict[str, list[float]] = defaultdict(list)
        with (data_root / "finger" / "pairs" / f"{name}.tsv").open() as f:
            for r in csv.DictReader(f, delimiter="\t"):
                if r["genuine"] == "1":
                    s = min(float(r["score"]), SCORE_CAP) / SCORE_CAP
                    scores[r["a"]].append(s)
                    scores[r["b"]].append(s)
        for file in sorted(scores):
            grey, _ = prepare(read(data_root / "finger" / name / file))
            ctx = analyse(grey)
            rows.append(features_of(ctx, compute_measures(ctx)))
            regions = find_regions(ctx)
            smudged.append(sum(r.share for r in regions if r.code == SMUDGED_REGION))
            targets.append(float(np.mean(scores[file])))
            keys.append((name, file))
            groups.append(f"{name}/{file.split('_')[0]}")
    return TrainingSet(
        keys, np.vstack(rows), np.asarray(targets), np.asarray(groups), np.asarray(smudged)
    )


def make_model():
    """Standardised ridge regression: 240 images from 30 fingers do not support more."""
    from sklearn.linear_model import RidgeCV
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    return make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-2, 3, 26)))


def feature_bounds(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Range of each feature in training: inputs are clipped to it before the linear
    model, so a print unlike the training data (a 2000 px rolled print, a synthetic) cannot
    extrapolate the score to nonsense."""
    lo, hi = x.min(axis=0), x.max(axis=0)
    return lo.astype(np.float32), hi.astype(np.float32)


def cross_fitted(ts: TrainingSet, folds: int = 5, repeats: int = 5, seed: int = 0) -> np.ndarray:
    """Out-of-fold predictions, averaged over ``repeats`` random finger-level fold splits."""
    unique = np.unique(ts.groups)
    pred = np.zeros(len(ts.y))
    for r in range(repeats):
        perm = np.random.default_rng(seed + r).permutation(len(unique))
        fold_of = {g: i % folds for i, g in zip(perm, unique[perm], strict=True)}
        fold = np.array([fold_of[g] for g in ts.groups])
        for k in range(folds):
            train = fold != k
            lo, hi = feature_bounds(ts.x[train])
            model = make_model().fit(np.clip(ts.x[train], lo, hi), ts.y[train])
            pred[~train] += model.predict(np.clip(ts.x[~train], lo, hi)) / repeats
    return pred


def to_quality(pred: np.ndarray, smudged_share: np.ndarray | None = None) -> np.ndarray:
    """Same mapping as ``assess``: ``biocap.finger.model.predict_utility``, then, with the
    images' smudged shares, ``biocap.finger.core.usable_quality``."""
    q = np.clip(np.rint(100.0 * pred), 0, 100)
    if smudged_share is None:
        return q
    return np.rint(q * np.maximum(1.0 - smudged_share, 0.0))


def fit(ts: TrainingSet):
    """The shipped model: bounds and ridge regression fitted on every training image."""
    lo, hi = feature_bounds(ts.x)
    return make_model().fit(np.clip(ts.x, lo, hi), ts.y), (lo, hi)


def export_onnx(model, bounds: tuple[np.ndarray, np.ndarray], path: Path) -> None:
    from skl2onnx import to_onnx

    onx = to_onnx(model, np.zeros((1, len(FEATURE_NAMES)), np.float32), target_opset=17)
    for key, value in (
        ("feature_names", ",".join(FEATURE_NAMES)),
        ("feature_min", ",".join(f"{v:.9g}" for v in bounds[0])),
        ("feature_max", ",".join(f"{v:.9g}" for v in bounds[1])),
    ):
        meta = onx.metadata_props.add()
        meta.key, meta.value = key, value
    onx.producer_name = "biocap models/train_finger_quality.py"
    path.write_bytes(onx.SerializeToString())
