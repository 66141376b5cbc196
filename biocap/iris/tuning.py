"""Tune and validate the unified iris quality against two matchers, eyes held out.

Two matchers that fail on different images: the shared pairs (open-iris encoder and matcher
on a simple classical segmentation, ``../shared/data/iris/pairs``; false non-match = Hamming
distance > 0.41) and ``biocap.evaluation``'s (the same encoder design on biocap's own
segmentation and masks; false non-match = distance above its threshold at FMR 1e-3 over the
three sets' impostor pairs). The quality is a non-negative ridge regression (standardised
features, coordinate descent, deterministic) of each image's share of genuine
comparisons that succeed, averaged over both matchers and centred within its set.

``cross_fitted`` scores every image with weights fitted without its eye (grouped folds), the
penalty chosen inside each training fold by a second grouped split: the honest number.
``python -m biocap.iris.tuning`` prints the weights to paste into ``quality.py`` and the
cross-fitted EDC; ``benchmarks/iris_accuracy.py`` reports both matchers with eye-bootstrap
intervals.
"""

from __future__ import annotations

import csv
import gzip
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from biocap.assessment import QUALITY_FAILURE
from biocap.errors import BiocapError
from biocap.evaluation.edc import (
    bootstrap_auc_difference,
    edc_auc,
    edc_curve,
    gain,
    oracle_auc,
    random_auc,
)
from biocap.evaluation.iris_code import iris_code
from biocap.evaluation.iris_pairs import PairScores, score_pairs, threshold_at_fmr
from biocap.io import read

from .core import analyse, assess_analysed
from .defects import NOT_AN_EYE
from .quality import FEATURES, features
from .segment import pupil_boundary_reflections

IRIS_SETS = ("casia_v1", "casia_interval", "mmu2")
SHARED = "shared open-iris pairs"
OWN = "biocap.evaluation matcher"
MATCHERS = (SHARED, OWN)
HAMMING_THRESHOLD = 0.41  # the shared pairs' FMR 1e-3 (../shared/data/README.md)
OWN_FMR = 1e-3
#: ridge penalties tried (on standardised features, ~1100 images); the inner split picks one
ALPHAS = (1.0, 10.0, 100.0, 1000.0)
N_FOLDS = 5
ImageKey = tuple[str, str]


@dataclass(frozen=True)
class Pairs:
    """Genuine comparisons of a set: images a and b, the eye (cluster) and the outcome."""

    a: list[ImageKey]
    b: list[ImageKey]
    cluster: np.ndarray
    failed: np.ndarray

    def pair_quality(self, q: Mapping[ImageKey, float]) -> np.ndarray:
        qa = np.array([q[k] for k in self.a], float)
        qb = np.array([q[k] for k in self.b], float)
        return np.nan_to_num(np.minimum(qa, qb), nan=-np.inf)

    @staticmethod
    def concat(parts: list[Pairs]) -> Pairs:
        return Pairs(
            [k for p in parts for k in p.a],
            [k for p in parts for k in p.b],
            np.concatenate([p.cluster for p in parts]),
            np.concatenate([p.failed for p in parts]),
        )


def eye_ids(data: Path) -> dict[ImageKey, str]:
    with open(Path(data) / "iris" / "MANIFEST.tsv", newline="") as fh:
        return {
            (r["set"], r["file"]): f"{r['set']}/{r['eye_id']}"
            for r in csv.DictReader(fh, delimiter="\t")
        }


def load_pairs(set_name: str, data: Path, eyes: Mapping[ImageKey, str]) -> Pairs:
    """The shared matcher's genuine comparisons of one set."""
    a, b, cl, f = [], [], [], []
    path = Path(data) / "iris" / "pairs" / f"{set_name}.pairs.tsv.gz"
    with gzip.open(path, "rt", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if r["genuine"] != "1":
                continue
            a.append((set_name, r["a"]))
            b.append((set_name, r["b"]))
            cl.append(eyes[(set_name, r["a"])])
            f.append(float(r["hamming"]) > HAMMING_THRESHOLD)
    return Pairs(a, b, np.array(cl), np.array(f, bool))


def own_threshold(scores: Mapping[str, PairScores]) -> float:
    """``biocap.evaluation``'s threshold at ``OWN_FMR`` over all sets' impostor pairs."""
    impostor = np.concatenate([p.hamming[~p.genuine] for p in scores.values()])
    return threshold_at_fmr(impostor, OWN_FMR)


def own_pairs(scores: Mapping[str, PairScores], eyes: Mapping[ImageKey, str]) -> dict[str, Pairs]:
    """Genuine comparisons of ``biocap.evaluation``'s pair scores, failed above
    :func:`own_threshold`."""
    thr = own_threshold(scores)
    out = {}
    for s, p in scores.items():
        g = p.genuine
        a = [(s, n) for n, k in zip(p.a, g, strict=True) if k]
        b = [(s, n) for n, k in zip(p.b, g, strict=True) if k]
        out[s] = Pairs(a, b, np.array([eyes[k] for k in a]), p.hamming[g] > thr)
    return out


def image_targets(pairs: Mapping[str, Pairs]) -> dict[ImageKey, float]:
    """Per image: share of its genuine comparisons that succeed."""
    ok: dict[ImageKey, list[float]] = {}
    for p in pairs.values():
        for ka, kb, f in zip(p.a, p.b, p.failed, strict=True):
            ok.setdefault(ka, []).append(0.0 if f else 1.0)
            ok.setdefault(kb, []).append(0.0 if f else 1.0)
    return {k: float(np.mean(v)) for k, v in ok.items()}


@dataclass(frozen=True)
class TrainingSet:
    keys: list[ImageKey]
    x: np.ndarray  # (n, len(FEATURES))
    y: dict[str, np.ndarray]  # per matcher: share of genuine comparisons that succeed
    eye: np.ndarray
    shipped: dict[ImageKey, float]  # quality from assess (NaN when it failed)
    gated: np.ndarray  # given iris.not_an_eye: quality 0, left out of the fit
    pairs: dict[str, dict[str, Pairs]]  # per matcher, per set
    own_scores: dict[str, PairScores]  # per set: biocap.evaluation's scores of all pairs


def load_training_set(data: Path) -> TrainingSet:
    """Assess and encode every image of the paired sets once, and match our codes (about a
    minute on one core)."""
    eyes = eye_ids(data)
    keys, xs, ev, gated, shipped, codes = [], [], [], [], {}, {}
    for s in IRIS_SETS:
        names = {k[1] for k in eyes if k[0] == s}
        for path in sorted((Path(data) / "iris" / s).iterdir()):
            key = (s, path.name)
            if path.name not in names:
                continue
            try:
                cap = read(path, modality="iris")
            except BiocapError:
                shipped[key] = math.nan
                codes[key] = None
                continue
            grey = cap.grey()
            ctx = analyse(grey)
            a = assess_analysed(cap, ctx)
            shipped[key] = math.nan if a.quality == QUALITY_FAILURE else float(a.quality)
            evidence = {"pupil_boundary_reflections": pupil_boundary_reflections(ctx.seg)}
            keys.append(key)
            xs.append(features(a.measures, evidence))
            ev.append(eyes[key])
            gated.append(a.has(NOT_AN_EYE))
            codes[key] = iris_code(grey, ctx.seg, ctx.sheet)
    own_scores = {}
    for s in IRIS_SETS:
        names = sorted(n for (t, n) in codes if t == s)
        own_scores[s] = score_pairs(
            names, [codes[(s, n)] for n in names], {n: eyes[(s, n)] for n in names}
        )
    pairs = {
        SHARED: {s: load_pairs(s, data, eyes) for s in IRIS_SETS},
        OWN: own_pairs(own_scores, eyes),
    }
    y = {}
    for m, per_set in pairs.items():
        t = image_targets(per_set)
        y[m] = np.array([t.get(k, 1.0) for k in keys])
    return TrainingSet(
        keys, np.array(xs), y, np.array(ev), shipped, np.array(gated, bool), pairs, own_scores
    )


def within_set_targets(ts: TrainingSet, use: np.ndarray | None = None) -> np.ndarray:
    """The fit's target: per matcher, each image's success share minus its set's mean plus
    the pooled mean; then the mean over matchers.

    Discard works within a set (one camera, one population): what the model must learn is
    which images of a set fail, not that MMU2 fails more than CASIA-V1. ``use``: the images
    the means are taken over (a training fold), all by default.
    """
    sets = np.array([k[0] for k in ts.keys])
    keep = ~ts.gated if use is None else use & ~ts.gated
    out = np.zeros(len(ts.keys))
    for y in ts.y.values():
        v = y.astype(float).copy()
        pooled = float(v[keep].mean())
        for s in np.unique(sets):
            m = sets == s
            ref = m & keep
            v[m] += pooled - float(v[ref].mean() if ref.any() else v[m].mean())
        out += v / len(ts.y)
    return out


def fit(x: np.ndarray, y: np.ndarray, alpha: float, sweeps: int = 200) -> np.ndarray:
    """Ridge regression with non-negative weights (intercept free): ``(1 + n_features,)`` in
    the features' own units.

    The penalty acts on standardised features (a rare but telling value, glints on the pupil
    edge, must not be shrunk harder than a score spread over 0-1). Cyclic coordinate descent
    on the normal equations: each step is the exact non-negative minimiser along one weight,
    so the objective falls monotonically to the unique optimum (strictly convex for alpha > 0).
    """
    xm, ym = x.mean(0), y.mean()
    xs = x.std(0)
    xs[xs < 1e-9] = 1.0
    z = (x - xm) / xs
    g, b = z.T @ z, z.T @ (y - ym)
    w = np.zeros(x.shape[1])
    for _ in range(sweeps):
        for j in range(w.size):
            r = b[j] - g[j] @ w + g[j, j] * w[j]
            w[j] = max(0.0, r / (g[j, j] + alpha))
    w = w / xs
    return np.concatenate([[ym - xm @ w], w])


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    return w[0] + x @ w[1:]


def _folds(eyes: np.ndarray, n_folds: int) -> np.ndarray:
    """Fold of each image: eyes (sorted ids) dealt round-robin, deterministic."""
    fold_of = {e: i % n_folds for i, e in enumerate(np.unique(eyes))}
    return np.array([fold_of[e] for e in eyes])


def choose_alpha(ts: TrainingSet, use: np.ndarray, n_folds: int = N_FOLDS) -> float:
    """The penalty with the least held-out squared error, eyes of ``use`` split again."""
    fold = _folds(ts.eye[use], n_folds)
    idx = np.flatnonzero(use)
    err = []
    for alpha in ALPHAS:
        e = 0.0
        for k in range(n_folds):
            tr, te = idx[fold != k], idx[fold == k]
            m = np.zeros(len(ts.keys), bool)
            m[tr] = True
            y = within_set_targets(ts, m)
            w = fit(ts.x[tr], y[tr], alpha)
            e += float(((predict(w, ts.x[te]) - y[te]) ** 2).sum())
        err.append(e)
    return ALPHAS[int(np.argmin(err))]


def cross_fitted(ts: TrainingSet, n_folds: int = N_FOLDS) -> tuple[np.ndarray, list[float]]:
    """Out-of-fold predictions (no image scored by weights that saw its eye, nor by a penalty
    chosen with its eye) and the penalty each fold chose."""
    fold = _folds(ts.eye, n_folds)
    out = np.empty(len(ts.keys))
    chosen = []
    for k in range(n_folds):
        use = (fold != k) & ~ts.gated
        alpha = choose_alpha(ts, use, n_folds)
        chosen.append(alpha)
        y = within_set_targets(ts, use)  # set means from the training fold only
        out[fold == k] = predict(fit(ts.x[use], y[use], alpha), ts.x[fold == k])
    out[ts.gated] = 0.0  # as assess: an image the eye gate refuses scores 0
    return out, chosen


def to_quality(pred: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(100.0 * pred), 0, 100)


def edc_report(
    quality: Mapping[ImageKey, float], ts: TrainingSet, n_boot: int = 1000
) -> dict[str, dict[str, dict[str, float]]]:
    """Per matcher, per set and pooled: FNMR, FNMR at 10 % pair discard, EDC AUC (0-20 %),
    random, oracle, gain and the eye-bootstrap 95 % interval of AUC - random."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    for m, per in ts.pairs.items():
        out[m] = {}
        for name, p in {**per, "pooled": Pairs.concat(list(per.values()))}.items():
            q = p.pair_quality(quality)
            auc, rnd, orc = edc_auc(q, p.failed), random_auc(p.failed), oracle_auc(p.failed)
            # random discard = a constant score: the paired interval of AUC - random
            zero = np.zeros(q.size)
            lo, hi = bootstrap_auc_difference(q, zero, p.failed, p.cluster, n_boot=n_boot)
            out[m][name] = {
                "n": int(p.failed.size),
                "n_failed": int(p.failed.sum()),
                "fnmr": float(p.failed.mean()),
                "fnmr_at_10": float(edc_curve(q, p.failed, np.array([0.10]))[0]),
                "auc": auc,
                "random": rnd,
                "oracle": orc,
                "gain": gain(auc, rnd, orc),
                "minus_random": auc - rnd,
                "minus_random_lo": lo,
                "minus_random_hi": hi,
            }
    return out


def main() -> None:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--data", type=Path, default=Path(__file__).resolve().parents[3] / "shared" / "data"
    )
    args = ap.parse_args()
    ts = load_training_set(args.data)
    use = ~ts.gated
    alpha = choose_alpha(ts, use)
    w = fit(ts.x[use], within_set_targets(ts)[use], alpha)
    print(f"penalty {alpha}; WEIGHTS (intercept first):")
    for name, v in zip(("intercept", *FEATURES), np.round(w, 5).tolist(), strict=True):
        print(f"    {v},  # {name}")
    pred, chosen = cross_fitted(ts)
    print("cross-fitted penalties per fold:", chosen)
    cf = dict(zip(ts.keys, to_quality(pred).tolist(), strict=True))
    for m, by_set in edc_report(cf, ts, n_boot=200).items():
        for name, r in by_set.items():
            print(m, name, {k: round(v, 4) for k, v in r.items()})


if __name__ == "__main__":
    main()
