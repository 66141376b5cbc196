"""EDC plots for reports; matplotlib is imported here only, so the library does not need it."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np


def plot_edc(
    curves: Mapping[str, tuple[np.ndarray, np.ndarray]],
    path: str | Path,
    title: str = "Error versus discard",
) -> Path:
    """Write FNMR against discarded fraction, one line per label, as a PNG; returns the path."""
    # Figure + Agg canvas, not pyplot: no global backend switch, safe in servers and tests.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for label, (fractions, fnmr) in curves.items():
        ax.plot(np.asarray(fractions) * 100, fnmr, label=label)
    ax.set_xlabel("discarded genuine comparisons (%)")
    ax.set_ylabel("FNMR")
    ax.set_ylim(bottom=0)
    ax.set_title(title)
    ax.grid(alpha=0.3)
    ax.legend()
    path = Path(path)
    fig.savefig(path, dpi=120)
    return path
