"""Per-stage breakdown of decode + assess, from the timings :mod:`biocap.bench.latency` took.

"decode" is the timed decode itself; the modality's stages come from its stage function (run on
the same capture right after ``assess``); "rest" is ``assess`` minus the sum of those stages,
image by image (what ``assess`` does beyond them, e.g. defect rules and the quality map). As the
stages run a second time, "rest" carries the noise of both runs and can dip below 0 on one image.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from biocap.bench.latency import Timing
from biocap.bench.stats import summary


def breakdown(timings: Sequence[Timing], stage_names: Sequence[str]) -> dict[str, object] | None:
    """{images, runs, decode_assess_mean_ms, stages: {name: {p50, mean, share, ...}}} over
    the timings that have stage samples; None when none has."""
    rows = [t for t in timings if t.stages is not None]
    if not rows:
        return None
    columns: dict[str, list[float]] = {"decode": [t.decode_ms for t in rows]}
    for name in stage_names:
        columns[name] = [t.stages[name] for t in rows]  # type: ignore[index]
    columns["rest"] = [t.assess_ms - sum(t.stages.values()) for t in rows]  # type: ignore[union-attr]
    total = float(np.mean([t.total_ms for t in rows]))
    stages = {}
    for name, values in columns.items():
        s = summary(values)
        stages[name] = {"p50": s["p50"], "p95": s["p95"], "mean": s["mean"]}
        stages[name]["share"] = s["mean"] / total if total > 0 else float("nan")
    return {
        "images": len({t.sample for t in rows}),
        "runs": len(rows),
        "decode_assess_mean_ms": total,
        "stages": stages,
    }
