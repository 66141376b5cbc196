"""A slap's verdict: each finger under the finger rules, the slap checks, declared exceptions.

- A finger the operator declares amputated or bandaged (ANSI/NIST-ITL AMP codes ``XX`` and
  ``UP``, "unable to print") is not asked for again: its ``finger.missing`` does not block and
  the slap's decision is ``exception`` with the declaration kept in the record.
- Otherwise the slap is retaken when a slap-level check fails with an error (a missing finger,
  a finger cut by the frame, a rotated slap, the wrong hand) or when any finger's own verdict
  is retake; the reasons name the fingers.
- A declared finger that is nevertheless found is reported (``slap.declared_finger_present``)
  and retaken: the declaration or the hand is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from biocap.assessment import Severity
from biocap.errors import InvalidParameterError

from .decide import Decision, Verdict, decide
from .profiles import Profile

#: ANSI/NIST-ITL 1-2011 field 14.018 AMP: amputated, or unable to print (bandaged ...)
AMPUTATED, UNABLE_TO_PRINT = "XX", "UP"
_DECLARATION = {"xx": AMPUTATED, "amputated": AMPUTATED, "amp": AMPUTATED,
                "up": UNABLE_TO_PRINT, "bandaged": UNABLE_TO_PRINT,
                "unable": UNABLE_TO_PRINT, "unable_to_print": UNABLE_TO_PRINT}  # fmt: skip
DECLARED_PRESENT = "slap.declared_finger_present"
DECLARED = {AMPUTATED: "finger.amputated", UNABLE_TO_PRINT: "finger.unable_to_print"}


@dataclass(frozen=True, slots=True)
class SlapVerdict:
    decision: Decision
    reasons: tuple[str, ...] = ()
    fingers: dict[int, Verdict] = field(default_factory=dict)
    declared: dict[int, str] = field(default_factory=dict)  # position -> XX | UP


def parse_declared(text: str | None) -> dict[int, str]:
    """``"4:amputated,5:bandaged"`` (or ``4:XX``, ``4`` = amputated) -> ``{4: "XX", 5: "UP"}``."""
    out: dict[int, str] = {}
    for item in (text or "").split(","):
        item = item.strip()
        if not item:
            continue
        pos, _, how = item.partition(":")
        code = _DECLARATION.get((how or "amputated").strip().lower())
        if not pos.strip().isdigit() or not 1 <= int(pos) <= 12 or code is None:
            raise InvalidParameterError(
                "missing= takes position:reason pairs, e.g. 4:amputated,5:bandaged "
                "(positions 1-12; reasons amputated/XX or bandaged/UP)",
                missing=text,
            )
        out[int(pos)] = code
    return out


def decide_slap(slap, profile: Profile, declared: dict[int, str] | None = None) -> SlapVerdict:
    """The verdict for a :class:`biocap.finger.slap.SlapAssessment` under ``profile``."""
    declared = {p: c for p, c in (declared or {}).items() if _in_slap(slap, p)}
    rules = profile.rules("finger")
    slap_rules = profile.rules("slap")
    if slap.failure_reason is not None:
        return SlapVerdict(Decision.RETAKE, ("slap.not_assessable",), {}, declared)
    fingers = {f.position: decide(f.assessment, rules) for f in slap.fingers}
    reasons: list[str] = []
    for d in slap.defects:
        if d.severity is not Severity.ERROR or d.code in slap_rules.ignore:
            continue
        pos = int(d.evidence.get("position", 0))
        if d.code == "finger.missing" and pos in declared:
            continue
        reasons.append(f"{d.code}:{pos}" if pos else d.code)
    for pos in declared:
        if pos in fingers:
            reasons.append(f"{DECLARED_PRESENT}:{pos}")
    for pos, v in sorted(fingers.items()):
        if v.decision is not Decision.ACCEPT:
            reasons.extend(f"{code}:{pos}" for code in v.reasons)
    if reasons:
        return SlapVerdict(Decision.RETAKE, tuple(reasons), fingers, declared)
    if declared:
        codes = tuple(f"{DECLARED[c]}:{p}" for p, c in sorted(declared.items()))
        return SlapVerdict(Decision.EXCEPTION, codes, fingers, declared)
    return SlapVerdict(Decision.ACCEPT, (), fingers, declared)


def _in_slap(slap, position: int) -> bool:
    from biocap.finger.slap.positions import ORDER

    return position in ORDER[slap.kind]
