"""One capture's verdict under a profile's rules (attempt history lives in ``attempts``)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from biocap.assessment import QUALITY_FAILURE, Assessment, Severity

from .profiles import ModalityRules


class Decision(StrEnum):
    ACCEPT = "accept"
    RETAKE = "retake"  # with reasons the operator can act on
    EXCEPTION = "exception"  # stop asking: keep the best attempt and record an exception


@dataclass(frozen=True, slots=True)
class Verdict:
    decision: Decision
    #: codes behind a retake: blocking defect codes, ``<modality>.low_quality`` or
    #: ``<modality>.not_assessable``; empty on accept.
    reasons: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        return {"decision": str(self.decision), "reasons": list(self.reasons)}


def decide(a: Assessment, rules: ModalityRules) -> Verdict:
    """Retake on an unassessable capture, on any blocking (ERROR, not ignored) defect, or on
    quality below ``min_quality``; accept otherwise. Warnings never block."""
    if a.quality == QUALITY_FAILURE:
        return Verdict(Decision.RETAKE, (f"{a.modality}.not_assessable",))
    blocking = tuple(
        d.code for d in a.defects if d.severity is Severity.ERROR and d.code not in rules.ignore
    )
    if blocking:
        return Verdict(Decision.RETAKE, blocking)
    if a.quality < rules.min_quality:
        return Verdict(Decision.RETAKE, (f"{a.modality}.low_quality",))
    return Verdict(Decision.ACCEPT)
