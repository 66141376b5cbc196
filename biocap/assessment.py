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
    """A defect code (``finger.worn`` ...) with severity and the evidence that raised it.

    ``place`` says where a local defect lies (``core``, ``upper``, ``lower``, ``left``,
    ``right``); None for a defect of the whole capture."""

    code: str
    severity: Severity
    evidence: dict[str, float] = field(default_factory=dict)
    place: str | None = None

    def to_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "code": self.code,
            "severity": str(self.severity),
            "evidence": {k: _round(v) for k, v in self.evidence.items()},
        }
        if self.place is not None:
            out["place"] = self.place
        return out


@dataclass(frozen=True, slots=True)
class Region:
    """A local defect on the quality map's block grid: the blocks it covers, where it lies,
    its share of the foreground, and its outline (polygons of ``(x, y)`` in block units, so a
    display scales them by the map's ``block_px``)."""

    code: str
    severity: Severity
    place: str
    share: float
    blocks: np.ndarray  # bool (rows, cols), the quality map's grid
    outline: tuple[tuple[tuple[float, float], ...], ...] = ()

    def to_dict(self, block_px: float) -> dict[str, object]:
        rows, cols = np.nonzero(self.blocks)
        return {
            "code": self.code,
            "severity": str(self.severity),
            "place": self.place,
            "share": _round(self.share),
            "blocks": int(rows.size),
            "box": [
                _round(block_px * int(cols.min())),
                _round(block_px * int(rows.min())),
                _round(block_px * (int(cols.max()) + 1)),
                _round(block_px * (int(rows.max()) + 1)),
            ],
            "outline": [
                [[_round(block_px * x), _round(block_px * y)] for x, y in poly]
                for poly in self.outline
            ],
        }


@dataclass(slots=True)
class Assessment:
    """Result of ``assess(capture)``.

    ``quality`` is 0-100 (higher is better) or 255 with ``failure_reason`` set.
    ``quality_map`` is an optional per-block ``uint8`` map (0-100, 255 = background) whose
    blocks are ``block_px`` of the capture's pixels wide.
    ``regions`` are local defects on that map (a smudge, a dry patch), shown with the map.
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
    regions: list[Region] = field(default_factory=list)
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
            out["quality_map"] = {
                "block_px": self.block_px,
                "values": self.quality_map.tolist(),
                "regions": [r.to_dict(self.block_px or 1.0) for r in self.regions],
            }
        if with_map and self.overlay:
            out["overlay"] = self.overlay
        return out


def _round(v: float) -> float:
    return float(round(float(v), 4))
