"""What ``biocap bench`` knows of each modality beyond its ``assess``: one registry entry each.

Latency, throughput and memory need only the modality's ``assess`` (from
:func:`biocap.records.assessors`, which is also where ``--modality`` choices come from) and
images (``--data DIR``). An entry here adds what is modality-specific:

- ``samples``: bundled generated images, so the modality benches with no external data;
- ``stages`` / ``stage_names``: its ``assess`` split into stages, timed on the same capture;
- ``accuracy``: EDC utility on the shared real images, beside its reference scores.

A face or iris core plugs in with one entry in :func:`registry` (any field may stay None).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from biocap.assessment import Assessment
from biocap.bench.samples import Sample
from biocap.capture import Capture

StageFn = Callable[[Capture, Assessment], "dict[str, float] | None"]
#: (shared data root, bootstrap resamples) -> (JSON-able result, EDC curves for the plot)
AccuracyFn = Callable[[Path, int], "tuple[dict[str, Any], dict[str, Any]]"]


@dataclass(frozen=True)
class ModalityBench:
    samples: Callable[[], tuple[Sample, ...]] | None = None
    samples_label: str = ""
    stages: StageFn | None = None
    stage_names: tuple[str, ...] = ()
    accuracy: AccuracyFn | None = None


def registry() -> dict[str, ModalityBench]:
    """Modality name -> bench hooks; imported lazily so a run loads only what it benches."""
    from biocap.bench.finger import accuracy as finger_accuracy
    from biocap.bench.finger import samples as finger_samples
    from biocap.bench.finger import stages as finger_stages

    return {
        "finger": ModalityBench(
            samples=finger_samples.generated,
            samples_label="synthetic plain and degraded prints, PNG at 500 ppi",
            stages=finger_stages.stage_times,
            stage_names=finger_stages.STAGES,
            accuracy=finger_accuracy.bench_accuracy,
        ),
        "iris": ModalityBench(
            samples=_iris_samples,
            samples_label="synthetic eyes (known circles), PNG 640x480 and 320x280",
            accuracy=_iris_accuracy,
        ),
        "face": ModalityBench(
            samples=_face_samples,
            samples_label="public-domain astronaut portrait 600x800 / 1200x1600, degraded, PNG",
        ),
    }


def _face_samples() -> tuple[Sample, ...]:
    from biocap.bench.face.samples import generated

    return generated()


def _iris_samples() -> tuple[Sample, ...]:
    from biocap.bench.iris.samples import generated

    return generated()


def _iris_accuracy(data: Path, n_boot: int) -> tuple[dict[str, Any], dict[str, Any]]:
    from biocap.bench.iris.accuracy import bench_accuracy

    return bench_accuracy(data, n_boot)


def hooks(modality: str) -> ModalityBench:
    """The modality's entry, or an empty one (latency and throughput on ``--data`` only)."""
    return registry().get(modality, ModalityBench())
