"""Speed of the fingerprint core on one core (pytest-benchmark; see benchmarks/README.md).

Images are decoded outside the timed part. Each timed round assesses the next image of the set,
so the statistics are over every real image (each timed ``PASSES`` times), not one easy image.
No time limits here: targets live in reports. Every timed result is checked, so a benchmark
cannot silently time a failure path.
"""

from __future__ import annotations

import itertools

import pytest

from biocap.assessment import Assessment
from biocap.finger import assess
from biocap.finger.defects import NOT_A_FINGERPRINT
from biocap.io import decode, read

SETS = {"db1": "fvc2002_db1_b", "db3": "fvc2002_db3_b", "db4": "fvc2002_db4_b"}
PASSES = 2


def check(a: Assessment) -> None:
    assert 0 <= a.quality <= 100, f"quality {a.quality}: {a.failure_reason}"
    assert not a.has(NOT_A_FINGERPRINT), "an FVC print was rejected as not a fingerprint"


@pytest.mark.parametrize("key", SETS)
def test_assess_decoded(benchmark, shared_data, key):
    paths = sorted((shared_data / "finger" / SETS[key]).glob("*.tif"))
    assert len(paths) == 80, f"expected 80 FVC images, found {len(paths)}"
    captures = [read(p, modality="finger") for p in paths]
    for c in captures:  # warm-up (model session, caches) and a check of every image
        check(assess(c))

    upcoming = itertools.cycle(captures)
    results: list[Assessment] = []
    benchmark.group = "finger assess, decoded 500 ppi"
    benchmark.extra_info.update(set=SETS[key], images=len(captures), passes=PASSES)
    benchmark.pedantic(
        lambda c: results.append(assess(c)),
        setup=lambda: ((next(upcoming),), {}),
        rounds=PASSES * len(captures),
    )
    assert len(results) == PASSES * len(captures)
    for a in results:
        check(a)


def test_decode_and_assess_db1_file(benchmark, shared_data):
    path = shared_data / "finger" / SETS["db1"] / "101_1.tif"
    data = path.read_bytes()
    benchmark.group = "finger decode + assess, from bytes"
    benchmark.extra_info.update(file=f"{SETS['db1']}/{path.name}", bytes=len(data))
    check(benchmark(lambda: assess(decode(data, modality="finger"))))
