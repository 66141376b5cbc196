"""Speed of decode + assess on the samples ``biocap bench`` generates (no external data needed).

pytest-benchmark's view of what ``biocap bench`` times: every modality with generated samples
(:mod:`biocap.bench.modalities`), from PNG bytes, each timed round taking the next sample, so
``pytest-benchmark compare`` can put two runs (two commits, two machines) side by side. Every
timed result is checked, so a benchmark cannot silently time a failure path.
"""

from __future__ import annotations

import itertools

import pytest

from biocap.assessment import Assessment
from biocap.bench.modalities import registry
from biocap.io import decode
from biocap.records import assessors

PASSES = 3
WITH_SAMPLES = sorted(m for m, h in registry().items() if h.samples is not None)


@pytest.mark.parametrize("modality", WITH_SAMPLES)
def test_decode_and_assess_generated(benchmark, modality):
    samples = registry()[modality].samples()
    assess = assessors()[modality]

    def run(s) -> Assessment:
        return assess(decode(s.data, ppi=s.ppi, modality=modality, source=s.name))

    for s in samples:  # warm-up (model session, caches)
        run(s)
    upcoming = itertools.cycle(samples)
    results: list[Assessment] = []
    benchmark.group = f"{modality} decode + assess, generated samples"
    benchmark.extra_info.update(samples=len(samples), passes=PASSES)
    benchmark.pedantic(
        lambda s: results.append(run(s)),
        setup=lambda: ((next(upcoming),), {}),
        rounds=PASSES * len(samples),
    )
    assert len(results) == PASSES * len(samples)
    for a in results:
        assert 0 <= a.quality <= 100, f"quality {a.quality}: {a.failure_reason}"
