"""Latency of decode + assess, image by image, on one thread (what a station's operator waits for).

Every timed step starts from the encoded bytes: ``decode`` then the modality's ``assess``. After
a warm-up pass (model session, caches, first-touch page faults), passes over the samples repeat
until the time is up (or for a number of passes). A modality's stage function, when given, runs
on the same capture right after each timed ``assess``, so noise falls on both alike.
``biocap bench`` runs this in a worker process (:func:`in_worker`, see
:mod:`biocap.bench.workers` for why); ``benchmarks/finger_speed_report.py`` in its own process.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Sequence
from dataclasses import dataclass

from biocap.bench.modalities import StageFn, hooks
from biocap.bench.samples import Sample
from biocap.bench.stats import summary
from biocap.errors import BiocapError
from biocap.io import decode
from biocap.records import assessors


@dataclass(frozen=True, slots=True)
class Timing:
    """One timed decode + assess of sample ``names[sample]`` in pass ``pass_no``."""

    sample: int
    pass_no: int
    decode_ms: float
    assess_ms: float
    cpu_ms: float  # process CPU time of decode + assess
    assess_cpu_ms: float  # of assess alone
    minor_faults: int
    quality: int
    stages: dict[str, float] | None

    @property
    def total_ms(self) -> float:
        return self.decode_ms + self.assess_ms


@dataclass(frozen=True)
class LatencyRun:
    names: list[str]  # samples that decoded (the timed ones)
    errors: list[dict[str, str]]  # samples that did not: name, code, message
    timings: list[Timing]
    seconds: float  # wall time of the timed passes (stage timing included)


def _minflt() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def time_samples(
    samples: Sequence[Sample],
    modality: str,
    *,
    duration_s: float | None = None,
    passes: int | None = None,
    stages: StageFn | None = None,
) -> LatencyRun:
    """Time decode + assess of every sample, pass after pass.

    Stops after ``passes`` whole passes, or at the first image finished after ``duration_s``
    once every sample has been timed at least once (a busy machine must not leave samples out).
    The warm-up pass also leaves out (and lists) the samples that fail to decode.
    """
    if (duration_s is None) == (passes is None):
        raise ValueError("give exactly one of duration_s and passes")
    assess = assessors()[modality]
    usable, errors = [], []
    for s in samples:
        try:
            cap = decode(s.data, ppi=s.ppi, modality=modality, source=s.name)
        except BiocapError as e:
            errors.append({"name": s.name, "code": e.code, "message": e.message})
            continue
        a = assess(cap)
        if stages is not None:
            stages(cap, a)  # its first call warms its own paths
        usable.append(s)
    names = [s.name for s in usable]
    timings: list[Timing] = []
    if not usable:
        return LatencyRun(names, errors, timings, 0.0)

    ns = time.perf_counter_ns
    start = time.perf_counter()
    deadline = None if duration_s is None else start + duration_s
    pass_no = 0
    while True:
        for i, s in enumerate(usable):
            f0, c0, t0 = _minflt(), time.process_time_ns(), ns()
            cap = decode(s.data, ppi=s.ppi, modality=modality, source=s.name)
            t1, c1 = ns(), time.process_time_ns()
            a = assess(cap)
            t2, c2, f1 = ns(), time.process_time_ns(), _minflt()
            timings.append(
                Timing(
                    sample=i,
                    pass_no=pass_no,
                    decode_ms=(t1 - t0) / 1e6,
                    assess_ms=(t2 - t1) / 1e6,
                    cpu_ms=(c2 - c0) / 1e6,
                    assess_cpu_ms=(c2 - c1) / 1e6,
                    minor_faults=f1 - f0,
                    quality=a.quality,
                    stages=None if stages is None else stages(cap, a),
                )
            )
            if pass_no and deadline is not None and time.perf_counter() >= deadline:
                return LatencyRun(names, errors, timings, time.perf_counter() - start)
        pass_no += 1
        if deadline is not None and time.perf_counter() >= deadline:
            return LatencyRun(names, errors, timings, time.perf_counter() - start)
        if passes is not None and pass_no >= passes:
            return LatencyRun(names, errors, timings, time.perf_counter() - start)


def in_worker(modality: str, samples: Sequence[Sample], duration_s: float) -> LatencyRun:
    """Runs in a bench worker, with the modality's stage function from
    :mod:`biocap.bench.modalities`."""
    return time_samples(samples, modality, duration_s=duration_s, stages=hooks(modality).stages)


def summarise(run: LatencyRun, keep_samples: bool = True) -> dict[str, object]:
    """Percentiles of decode + assess (and each part), per-pass medians (drift), page faults.

    ``samples_ms`` (optional) is every decode + assess time in run order, rounded to 1 us.
    """
    t = run.timings
    by_pass: dict[int, list[float]] = {}
    for x in t:
        by_pass.setdefault(x.pass_no, []).append(x.total_ms)
    out: dict[str, object] = {
        "images": len(run.names),
        "runs": len(t),
        "seconds": run.seconds,
        "decode_assess": summary([x.total_ms for x in t]),
        "decode": summary([x.decode_ms for x in t]),
        "assess": summary([x.assess_ms for x in t]),
        "cpu": summary([x.cpu_ms for x in t]),
        "assess_cpu": summary([x.assess_cpu_ms for x in t]),
        "pass_p50_ms": [summary(v)["p50"] for _, v in sorted(by_pass.items())],
        "minor_faults_per_image": sum(x.minor_faults for x in t) / len(t) if t else None,
    }
    if keep_samples:
        out["samples_ms"] = [round(x.total_ms, 3) for x in t]
    return out
