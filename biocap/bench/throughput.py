"""Throughput: images/s of decode + assess on one process and on every core.

One single-threaded worker process per core (:mod:`biocap.bench.workers`), as a station or an
audit runs them. Worker 0 alone, then all workers together, decode + assess the same in-memory
samples round-robin from a common start time for the same wall time. Images/s is the sum over
the workers of images / their timed seconds.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Sequence

from biocap.bench.samples import Sample
from biocap.bench.workers import Workers

#: lead time between the start command and the common start, so every worker starts together.
START_LEAD_S = 0.2


def timed_loop(
    modality: str, samples: Sequence[Sample], start_at: float, duration_s: float
) -> dict[str, float]:
    """Runs in a worker: decode + assess round-robin from ``start_at`` (``time.time()``) for
    ``duration_s``; images, seconds, CPU seconds, minor page faults, peak RSS."""
    from biocap.bench.machine import maxrss_mib
    from biocap.io import decode
    from biocap.records import assessors

    assess = assessors()[modality]
    time.sleep(max(0.0, start_at - time.time()))
    f0 = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    count, c0, t0 = 0, time.process_time(), time.perf_counter()
    end = t0 + duration_s
    while time.perf_counter() < end:
        s = samples[count % len(samples)]
        assess(decode(s.data, ppi=s.ppi, modality=modality, source=s.name))
        count += 1
    return {
        "images": count,
        "seconds": time.perf_counter() - t0,
        "cpu_seconds": time.process_time() - c0,
        "minor_faults": resource.getrusage(resource.RUSAGE_SELF).ru_minflt - f0,
        "peak_rss_mib": maxrss_mib(),
    }


def timed_run(workers: Workers, processes: int, duration_s: float) -> dict[str, object]:
    """The first ``processes`` workers together: {processes, images, seconds, images_per_s,
    cpu_share, minor_faults_per_image, peak_rss_mib (largest worker)}."""
    start_at = time.time() + START_LEAD_S
    reports = workers.call(
        timed_loop,
        start_at,
        duration_s,
        processes=processes,
        timeout_s=START_LEAD_S + duration_s + 60,
    )
    images = sum(r["images"] for r in reports)
    return {
        "processes": processes,
        "images": images,
        "seconds": max(r["seconds"] for r in reports),
        "images_per_s": sum(r["images"] / r["seconds"] for r in reports),
        # CPU time / wall time per worker: below 1 when the cores were shared
        "cpu_share": sum(r["cpu_seconds"] / r["seconds"] for r in reports) / processes,
        "minor_faults_per_image": sum(r["minor_faults"] for r in reports) / max(images, 1),
        "peak_rss_mib": max(r["peak_rss_mib"] for r in reports),
    }


def single_and_all_cores(workers: Workers, duration_s: float) -> dict[str, object]:
    """One process, then every worker; scaling = all-core / one-process images/s."""
    one = timed_run(workers, 1, duration_s)
    every = timed_run(workers, len(workers), duration_s)
    scaling = every["images_per_s"] / one["images_per_s"]  # type: ignore[operator]
    return {
        "single": one,
        "all_cores": every,
        "scaling": scaling,
        "efficiency": scaling / len(workers),
    }
