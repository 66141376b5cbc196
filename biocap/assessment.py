"""What a modality core returns: measures, defects, an ISO/IEC 29794-1 quality and a block map.

Cores measure and flag; they never decide accept/retake (that is ``biocap.policy``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

#: ISO/IEC 29794-1: quality could not be computed.
QUALITY_FAILURE = 255


class Severity(StrEnum):
    WARNING = "warning"  # capture usable, operator may improve it
    ERROR = "error"  # capture should be retaken


@dataclass(frozen=True, slots=True)
class Measure:
    """One named quality component: raw value in its own unit and a 0-100 component score."""

    name: str
    raw: float
    score: int | None = None
    unit: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"raw": _round(self.raw), "score": self.score, "unit": self.unit}


@dataclass(frozen=True, slots=True)
class MeasureSpec:
    """A measure's registry entry: unit, and the raw values that map to component score 0 and
    100 (linear between, clipped). ``two_sided`` scores ``abs(raw)`` (pose angles); ``peak`` > 0
    makes a plateau: 100 on ``[best, peak]``, falling to 0 at ``worst_high`` (pupil dilation).
    ``worst == best`` means the raw value has no score (it is reported, not judged)."""

    name: str
    unit: str
    worst: float
    best: float
    description: str
    two_sided: bool = False
    peak: float = 0.0
    worst_high: float = 0.0

    def score(self, raw: float) -> int | None:
        if not np.isfinite(raw) or self.best == self.worst:
            return None
        v = abs(raw) if self.two_sided else raw
        s = (v - self.worst) / (self.best - self.worst)
        if self.peak and v > self.peak:
            s = (self.worst_high - v) / (self.worst_high - self.peak)
        return round(100.0 * min(max(s, 0.0), 1.0))


@dataclass(frozen=True, slots=True)
class Defect:
    """A defect code (``finger.worn`` ...) with severity and the evidence that raised it."""

    code: str
    severity: Severity
    evidence: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, object]:
        return {
            "code": self.code,
            "severity": str(self.severity),
            "evidence": {k: _round(v) for k, v in self.evidence.items()},
        }


@dataclass(slots=True)
class Assessment:
    """Result of ``assess(capture)``.

    ``quality`` is 0-100 (higher is better) or 255 with ``failure_reason`` set.
    ``quality_map`` is an optional per-block ``uint8`` map (0-100, 255 = background) whose
    blocks are ``block_px`` of the capture's pixels wide.
    ``overlay`` is JSON-able geometry in image pixels for a display to draw (face box and
    landmarks, iris circles ...); named by the core, e.g. ``{"pupil": [x, y, r]}``.
    """

    modality: str
    quality: int
    measures: dict[str, Measure] = field(default_factory=dict)
    defects: list[Defect] = field(default_factory=list)
    failure_reason: str | None = None
    quality_map: np.ndarray | None = None
    block_px: float | None = None
    overlay: dict[str, object] = field(default_factory=dict)

    def has(self, code: str) -> bool:
        return any(d.code == code for d in self.defects)

    def to_dict(self, *, with_map: bool = False) -> dict[str, object]:
        out: dict[str, object] = {
            "modality": self.modality,
            "quality": self.quality,
            "failure_reason": self.failure_reason,
            "defects": [d.to_dict() for d in self.defects],
            "measures": {k: m.to_dict() for k, m in self.measures.items()},
        }
        if with_map and self.quality_map is not None:
            out["quality_map"] = {"block_px": self.block_px, "values": self.quality_map.tolist()}
        if with_map and self.overlay:
            out["overlay"] = self.overlay
        return out


def _round(v: float) -> float:
    return float(round(float(v), 4))
