"""What an assessment process runs for one frame of a live stream: a light verdict.

The same decode, core and policy as ``POST /v1/{modality}/assess`` (:mod:`api.work`), but only
what a live display needs goes back over the queue: quality, decision, codes, the overlay
geometry and (fingerprints) the block quality map. No measures, no catalogue words, no preview:
the HTTP process adds the words in the stream's language, and the kept frame is assessed in
full once, when it is captured.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from api.work import AssessRequest, evaluated
from biocap.assessment import Severity
from biocap.io import Limits
from biocap.policy import Decision


@dataclass(frozen=True, slots=True)
class FrameScore:
    quality: int
    decision: Decision
    #: blocking codes behind a retake (the policy's order), then warnings
    reasons: tuple[str, ...]
    warnings: tuple[str, ...]
    overlay: dict[str, Any]
    quality_map: dict[str, Any] | None
    width: int
    height: int
    decode_ms: float
    assess_ms: float
    #: CPU time spent on the frame: what its latency would be on an idle core
    cpu_ms: float

    def top_code(self) -> str | None:
        """The one code the operator hears about: the first reason, else the first warning."""
        return (self.reasons or self.warnings or (None,))[0]


def score(data: bytes, req: AssessRequest, limits: Limits, default_profile: str) -> FrameScore:
    """Decode, assess and decide one frame (raises the same ``BiocapError`` codes as assess)."""
    c0 = time.thread_time()  # this thread: right in a worker process and with workers = 0
    capture, a, verdict, _, (t0, t1, t2) = evaluated(data, req, limits, default_profile)
    qmap = None
    if a.quality_map is not None:
        qmap = {"block_px": a.block_px, "values": a.quality_map.tolist()}
    return FrameScore(
        quality=int(a.quality),
        decision=verdict.decision,
        reasons=verdict.reasons,
        warnings=tuple(d.code for d in a.defects if d.severity is Severity.WARNING),
        overlay=a.overlay,
        quality_map=qmap,
        width=capture.width,
        height=capture.height,
        decode_ms=round(1000 * (t1 - t0), 3),
        assess_ms=round(1000 * (t2 - t1), 3),
        cpu_ms=round(1000 * (time.thread_time() - c0), 3),
    )
