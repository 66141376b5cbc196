"""The parts of ``biocap.bench``: statistics, samples, stages, threads, plot fallback, workers."""

from __future__ import annotations

import math
import os
import sys

import numpy as np
import pytest

from biocap.bench import latency, plot, stats, threads
from biocap.bench.finger.samples import generated
from biocap.bench.finger.stages import STAGES, stage_times
from biocap.bench.modalities import hooks, registry
from biocap.bench.samples import Sample, png_bytes
from biocap.bench.workers import Workers
from biocap.capture import Capture
from biocap.finger import assess
from biocap.finger import synthetic as S
from biocap.io import decode
from biocap.records import assessors


def test_summary_percentiles() -> None:
    s = stats.summary(np.arange(1, 101, dtype=float))
    assert s["n"] == 100 and s["min"] == 1 and s["max"] == 100
    assert s["p50"] <= s["p95"] <= s["p99"] and s["p50"] == pytest.approx(50.5)
    empty = stats.summary([])
    assert empty["n"] == 0 and math.isnan(empty["p50"])


def test_generated_samples_are_deterministic_pngs_at_500_ppi() -> None:
    samples = generated()
    assert len(samples) == 24 and len({s.name for s in samples}) == 24
    assert samples is generated()  # cached for the process
    cap = decode(samples[0].data, modality="finger")
    assert cap.format == "PNG" and cap.ppi == 500.0 and cap.ppi_source == "file"
    assert png_bytes(S.fingerprint((200, 180), seed=1), 500.0) == png_bytes(
        S.fingerprint((200, 180), seed=1), 500.0
    )


def test_every_modality_with_an_assessor_has_bench_hooks() -> None:
    # Not required (a modality benches on --data with its assessor alone), but today all do.
    assert set(registry()) == set(assessors())
    assert hooks("no-such-modality").samples is None


def test_stage_times_follow_assess_and_skip_non_fingerprints() -> None:
    cap = decode(generated()[0].data, modality="finger")
    st = stage_times(cap, assess(cap))
    assert st is not None and list(st) == list(STAGES)
    assert all(v >= 0 for v in st.values()) and st["fields"] > 0
    blank = Capture(S.blank(), ppi=500.0, ppi_source="caller")
    assert stage_times(blank, assess(blank)) is None


def test_time_samples_needs_one_stopping_rule() -> None:
    with pytest.raises(ValueError):
        latency.time_samples(generated()[:1], "finger")
    with pytest.raises(ValueError):
        latency.time_samples(generated()[:1], "finger", duration_s=1, passes=1)
    run = latency.time_samples([*generated()[:2], Sample("bad.png", b"junk")], "finger", passes=2)
    assert len(run.timings) == 4 and [e["name"] for e in run.errors] == ["bad.png"]
    assert latency.summarise(run)["pass_p50_ms"] and run.names == [s.name for s in generated()[:2]]


def test_single_thread_env_is_restored() -> None:
    before = os.environ.get("OMP_NUM_THREADS")
    with threads.single_thread_env():
        assert os.environ["OMP_NUM_THREADS"] == "1"
    assert os.environ.get("OMP_NUM_THREADS") == before


def test_plot_fallback_without_matplotlib(monkeypatch) -> None:
    assert plot.matplotlib_missing() is None
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    assert "not installed" in plot.matplotlib_missing()


def test_worker_failure_is_reported_not_hung() -> None:
    with pytest.raises(RuntimeError, match="bench worker 0 failed: UnsupportedFormatError"):
        Workers([Sample("bad.png", b"junk")], "finger", 1)
