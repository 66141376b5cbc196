"""The bench PNG: latency distribution per modality, and EDC curves when accuracy ran.

matplotlib is imported only here, inside the functions (it is in the ``test`` extra, not a
dependency); Figure + Agg canvas, not pyplot: no global backend switch.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

#: line styles of the scores the finger report compares; other labels get the colour cycle.
EDC_STYLE: dict[str, dict[str, Any]] = {
    "biocap cross-fitted": {"color": "C0", "lw": 2},
    "biocap shipped (in-sample, optimistic)": {"color": "C2", "lw": 1.2, "ls": "-."},
    "NFIQ 2": {"color": "C1", "lw": 2},
    "mindtct minutiae count": {"color": "C4", "lw": 1},
    "random": {"color": "grey", "ls": "--"},
    "oracle": {"color": "k", "ls": ":"},
}


def matplotlib_missing() -> str | None:
    """Why no plot can be drawn (matplotlib not installed), or None."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return "matplotlib is not installed (pip install matplotlib): no plot written"
    return None


def draw_latency(ax, ms: Iterable[float], title: str) -> None:
    """Histogram of latencies (ms) with p50/p95/p99 marked and the empirical CDF on a twin axis."""
    a = np.sort(np.asarray(list(ms), dtype=float))
    p50, p95, p99 = np.percentile(a, [50, 95, 99])
    hi = max(float(np.percentile(a, 99.5)), p99) * 1.05  # a few far outliers: clipped, counted
    lo = 0.9 * float(a[0])
    ax.hist(np.minimum(a, hi), bins=60, range=(lo, hi), color="C0", alpha=0.6)
    for v, name, ls in ((p50, "p50", "-"), (p95, "p95", "--"), (p99, "p99", ":")):
        ax.axvline(v, color="k", ls=ls, lw=1, label=f"{name} {v:.2f} ms")
    cdf = ax.twinx()
    cdf.plot(np.minimum(a, hi), np.arange(1, a.size + 1) / a.size, color="C3", lw=1.2)
    cdf.set_ylim(0, 1.02)
    cdf.set_ylabel("cumulative share", color="C3")
    ax.set_xlabel("decode + assess (ms, one thread)")
    ax.set_ylabel("images")
    ax.set_title(f"{title} (n = {a.size})")
    ax.legend(loc="center right", fontsize="small")


def draw_edc(
    ax,
    fractions: np.ndarray,
    curves: Mapping[str, np.ndarray],
    title: str,
    labels: Iterable[str] | None = None,
    auc_max_fraction: float = 0.20,
) -> None:
    """FNMR against discarded share (%), one line per score (``labels``: which, in order)."""
    x = np.asarray(fractions) * 100
    for label in labels if labels is not None else curves:
        if label in curves:
            ax.plot(x, curves[label], label=label, **EDC_STYLE.get(label, {}))
    ax.axvline(100 * auc_max_fraction, color="grey", lw=0.5)  # AUC range ends here
    ax.set_title(title)
    ax.set_ylim(bottom=0)
    ax.grid(alpha=0.3)


def edc_panels(
    curves: Mapping[str, Mapping[str, np.ndarray]],
    fractions: np.ndarray,
    path: Path,
    labels: Iterable[str],
    title: str,
) -> Path:
    """One EDC panel per group on a 2 x 2 grid (``benchmarks/finger_accuracy.py``'s figure)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = list(labels)
    fig = Figure(figsize=(10, 7), layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(2, 2, sharex=True).ravel()
    for ax, (group, by_score) in zip(axes, curves.items(), strict=True):
        draw_edc(ax, fractions, by_score, group, labels)
    for ax in axes[2:]:
        ax.set_xlabel("discarded genuine comparisons (%)")
    for ax in axes[::2]:
        ax.set_ylabel("FNMR")
    axes[0].legend()
    fig.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    return path


def bench_png(
    path: Path,
    latency_ms: Mapping[str, list[float]],
    edc: Mapping[str, Mapping[str, Any]],
    accuracy: Mapping[str, Any] | None = None,
) -> Path:
    """Top row: one latency panel per modality. Below, per modality with EDC curves, one row
    of EDC panels (one per data set and pooled)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    lat = {m: v for m, v in latency_ms.items() if v}
    rows = (1 if lat else 0) + len(edc)
    if rows == 0:
        raise ValueError("nothing to plot")
    cols = max([len(lat), *(len(c["groups"]) for c in edc.values())])
    fig = Figure(figsize=(3.6 * max(cols, 2), 3.4 * rows), layout="constrained")
    FigureCanvasAgg(fig)
    subfigs = np.atleast_1d(fig.subfigures(rows, 1))
    row = 0
    if lat:
        axes = np.atleast_1d(subfigs[0].subplots(1, len(lat)))
        for ax, (m, ms) in zip(axes, lat.items(), strict=True):
            draw_latency(ax, ms, m)
        row = 1
    for m, c in edc.items():
        info = (accuracy or {}).get(m, {})
        names = info.get("group_labels", {})
        axes = np.atleast_1d(subfigs[row].subplots(1, len(c["groups"]), sharey=False))
        for ax, (group, by_score) in zip(axes, c["groups"].items(), strict=True):
            draw_edc(ax, c["fractions"], by_score, names.get(group, group))
            ax.set_xlabel("discarded genuine comparisons (%)")
        axes[0].set_ylabel("FNMR")
        axes[0].legend(fontsize="small")
        subfigs[row].suptitle(f"{m}: error versus discard, {info.get('dataset', '')}")
        row += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    return path
