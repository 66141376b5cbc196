"""One record per slap: the shape ``biocap score --modality slap``, the service and the audit
share (slap-level checks and decision, then one entry per finger with its box and verdict).

Messages come from the catalogue; a ``{finger}`` in a message is replaced by the finger's name
in the record's language (``position.<n>`` entries), so "finger missing" says which.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from biocap import catalogue
from biocap.errors import BiocapError, InvalidParameterError
from biocap.finger.slap import SlapAssessment, SlapKind, assess_slap, kind_of
from biocap.io import read
from biocap.policy import Profile, load_profile
from biocap.policy.slap import SlapVerdict, decide_slap
from biocap.records import from_error


def finger_name(position: int, lang: str) -> str:
    return catalogue.lookup(f"position.{position}", lang)["message"]


def _reason(code: str, lang: str) -> dict[str, Any]:
    base, _, pos = code.partition(":")
    entry = catalogue.lookup(base, lang)
    out: dict[str, Any] = {"code": base}
    if pos:
        name = finger_name(int(pos), lang)
        out["position"] = int(pos)
        entry = {k: _capital(v.replace("{finger}", name)) for k, v in entry.items()}
    return {**out, **entry}


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def slap_record(
    path: str,
    slap: SlapAssessment,
    verdict: SlapVerdict,
    ms: float,
    lang: str = "en",
    *,
    with_map: bool = False,
) -> dict[str, Any]:
    """The record of one assessed slap (JSON-able)."""
    defects = []
    for d in slap.defects:
        pos = int(d.evidence.get("position", 0))
        item = {**d.to_dict(), **_reason(f"{d.code}:{pos}" if pos else d.code, lang)}
        defects.append(item)
    fingers = []
    for f in slap.fingers:
        a = f.assessment
        v = verdict.fingers.get(f.position)
        entry = {
            "position": f.position,
            "name": finger_name(f.position, lang),
            "box": f.box(slap.scale),
            "quality": a.quality,
            "failure_reason": a.failure_reason,
            "decision": str(v.decision) if v else None,
            "reasons": [_reason(c, lang) for c in (v.reasons if v else ())],
            "defects": [{**d.to_dict(), **catalogue.lookup(d.code, lang)} for d in a.defects],
            "measures": {k: m.to_dict() for k, m in a.measures.items()},
        }
        if with_map and a.quality_map is not None:
            entry["quality_map"] = {"block_px": a.block_px, "values": a.quality_map.tolist()}
        fingers.append(entry)
    qualities = [f.assessment.quality for f in slap.fingers if f.assessment.quality <= 100]
    return {
        "path": path,
        "modality": "slap",
        "slap": str(slap.kind),
        "position": slap.slap_position,
        "quality": min(qualities) if qualities else 255,
        "failure_reason": slap.failure_reason,
        "decision": str(verdict.decision),
        "reasons": [_reason(c, lang) for c in verdict.reasons],
        "defects": defects,
        "missing": list(slap.missing),
        "declared": [{"position": p, "amp": c} for p, c in sorted(verdict.declared.items())],
        "hand": slap.hand,
        "rotation_deg": slap.hand_angle_deg,
        "fingers": fingers,
        "ms": round(ms, 3),
        "error": None,
    }


def guess_kind(path: str) -> SlapKind | None:
    """``right``/``left``/``thumbs`` (or 13/14/15) named in a file's name."""
    stem = Path(path).stem.lower().replace("-", "_")
    for part in reversed(stem.split("_")):
        kind = kind_of(part)
        if kind is not None and not part.isdigit():
            return kind
    return None


def score_slap_file(
    path: Path,
    kind: SlapKind | str | None,
    *,
    ppi: float | None = None,
    lang: str = "en",
    profile: Profile | None = None,
    declared: dict[int, str] | None = None,
) -> dict[str, Any]:
    """Decode, segment, assess and decide one slap file; never raises on bad input."""
    profile = profile or load_profile()
    t0 = time.perf_counter()
    kind = kind_of(kind) if kind not in (None, "auto") else guess_kind(str(path))
    try:
        if kind is None:
            raise InvalidParameterError(
                f"{path}: say which slap it is (--slap right|left|thumbs, or name the file "
                "..._right/_left/_thumbs)"
            )
        capture = read(path, ppi=ppi, modality="finger")
        slap = assess_slap(capture, kind, profile.thresholds("finger"))
        verdict = decide_slap(slap, profile, declared)
    except (BiocapError, OSError) as e:
        return from_error(str(path), "slap", e, 1000 * (time.perf_counter() - t0))
    return slap_record(str(path), slap, verdict, 1000 * (time.perf_counter() - t0), lang)
