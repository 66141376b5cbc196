"""One ``biocap bench`` run: per modality latency, stages, throughput; memory; machine; accuracy.

Time budget per modality (``duration_s``): 60 % for the latency loop (stage timing included),
20 % for one process and 20 % for all cores. On top, on a 2-core machine: generating the finger
samples (~3 s), starting and warming up the workers (~2 s) and, with the shared data, the
accuracy section (~9 s, most of it the cross-fitted model); the default run takes ~22 s.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from biocap.bench import accuracy, latency, samples, stages, throughput
from biocap.bench.machine import (
    OtherLoad,
    load_average,
    machine_info,
    peak_memory,
)
from biocap.bench.modalities import hooks
from biocap.bench.stats import summary
from biocap.bench.threads import thread_pools
from biocap.bench.workers import Workers
from biocap.runtime import usable_cores

SCHEMA = "biocap-bench/1"
LATENCY_SHARE = 0.6
THROUGHPUT_SHARE = 0.2  # each: one process, then all cores


@dataclass(frozen=True)
class Options:
    modalities: tuple[str, ...]
    duration_s: float = 10.0
    files: tuple[Path, ...] | None = None  # --data: image files (None: generated samples)
    data_root: Path | None = None  # the --data folder, to name files relative to it
    ppi: float | None = None
    accuracy: bool = True
    shared: Path | None = None  # None: $BIOCAP_SHARED_DATA or ../shared/data
    n_boot: int = 0
    cores: int | None = None  # all-core run; None: every usable core


@dataclass
class BenchRun:
    result: dict[str, Any]  # everything, JSON-able (the --json file)
    latency_ms: dict[str, list[float]] = field(default_factory=dict)  # per modality, for plots
    edc: dict[str, dict[str, Any]] = field(default_factory=dict)  # per modality, EDC curves


def _stderr(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _thread_pools(modality: str, samples: object) -> str:
    """A worker job: the pool sizes the worker runs with."""
    return thread_pools()


def bench_modality(
    modality: str, opts: Options, log: Callable[[str], None] = _stderr
) -> tuple[dict[str, Any], list[float]]:
    """(result, decode + assess times in ms) of one modality; result has "skipped" if none."""
    h = hooks(modality)
    if opts.files is not None:
        items, errors = samples.read_files(opts.files, opts.data_root, opts.ppi)
        source = f"folder {opts.data_root}"
    elif h.samples is not None:
        log(f"{modality}: generating samples")
        items, errors = list(h.samples()), []
        source = f"generated: {h.samples_label}"
    else:
        return {"skipped": f"no generated samples for {modality}: pass --data DIR"}, []

    usable, bad = samples.decodable(items, modality)
    errors += bad
    described = {"source": source, **samples.describe(usable), "decode_errors": errors}
    if not usable:
        return {"skipped": "no sample could be decoded", "samples": described}, []

    cores = opts.cores or usable_cores()
    log(f"{modality}: starting {cores} single-threaded worker processes")
    with Workers(usable, modality, cores) as workers:
        (threads,) = workers.call(_thread_pools, timeout_s=60)
        seconds = opts.duration_s * LATENCY_SHARE
        log(f"{modality}: latency on {len(usable)} images for {seconds:.1f} s, one thread")
        (lat,) = workers.call(latency.in_worker, seconds, timeout_s=seconds + 120)
        seconds = opts.duration_s * THROUGHPUT_SHARE
        log(f"{modality}: throughput on 1 and {cores} processes, {seconds:.1f} s each")
        tp = throughput.single_and_all_cores(workers, seconds)
    quality = {t.sample: t.quality for t in lat.timings}  # the same every pass
    described["quality"] = summary(list(quality.values()))
    described["quality_failures"] = sum(q > 100 for q in quality.values())
    breakdown = stages.breakdown(lat.timings, h.stage_names)
    out = {
        "samples": described,
        "worker_threads": threads,
        "latency_ms": latency.summarise(lat),
        "stages_ms": breakdown,
        "throughput": tp,
    }
    if breakdown is None:
        out["stages_note"] = (
            f"no stage split for {modality} yet"
            if h.stages is None
            else "no image reached the model (all failures or not of this modality)"
        )
    return out, [t.total_ms for t in lat.timings]


def run(opts: Options, log: Callable[[str], None] = _stderr) -> BenchRun:
    started = datetime.now(UTC).isoformat(timespec="seconds")
    load_before, other = load_average(), OtherLoad()
    out = BenchRun(result={})
    per_modality: dict[str, Any] = {}
    machine = machine_info()
    for m in opts.modalities:
        per_modality[m], out.latency_ms[m] = bench_modality(m, opts, log)
    # what the timed workers ran with (this process keeps the library defaults, e.g. to
    # generate samples faster)
    workers = [r["worker_threads"] for r in per_modality.values() if "worker_threads" in r]
    machine["threads"] = workers[0] if workers else "n/a (no worker ran)"
    other_cores = other.cores()  # before the accuracy part, which is not timed
    load_after = load_average()

    acc: dict[str, Any] | None = None
    shared = accuracy.shared_root(opts.shared)
    if opts.accuracy:
        log(f"accuracy: EDC on the shared data at {shared} (n_boot {opts.n_boot})")
        acc, out.edc = accuracy.run(list(opts.modalities), shared, opts.n_boot)
    out.result = {
        "schema": SCHEMA,
        "started": started,
        "settings": {
            "modalities": list(opts.modalities),
            "duration_s": opts.duration_s,
            "data": None if opts.data_root is None else str(opts.data_root),
            "ppi": opts.ppi,
            "shared": str(shared) if opts.accuracy else None,
            "n_boot": opts.n_boot,
            "latency_share": LATENCY_SHARE,
            "throughput_share": THROUGHPUT_SHARE,
        },
        "machine": {
            **machine,
            "load_average_before": load_before,
            "load_average_after": load_after,
            "other_processes_cores": other_cores,
        },
        "modalities": per_modality,
        "memory": peak_memory(),
        "accuracy": acc,
    }
    return out
