"""One result record per image: the shape shared by ``biocap score``, the audit and the service.

Building records lives here (not in a front door) so every output speaks the same fields:
path, modality, quality, failure_reason, defects (code, severity, message, action), measures,
decision and its reasons (under a policy profile), ms, error.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from biocap import catalogue
from biocap.assessment import Assessment
from biocap.capture import Capture
from biocap.errors import BiocapError
from biocap.io import read
from biocap.policy import Profile, Verdict, decide, load_profile

Assessor = Callable[..., Assessment]  # assess(capture, thresholds=None)


def assessors() -> dict[str, Assessor]:
    """Modality name -> ``assess``; imported lazily so a front door loads only what it runs."""
    from biocap import face, finger, iris

    return {"finger": finger.assess, "face": face.assess, "iris": iris.assess}


def evaluate(capture: Capture, profile: Profile) -> tuple[Assessment, Verdict]:
    """Assess with the profile's thresholds for the capture's modality, then decide."""
    modality = capture.modality
    a = assessors()[modality](capture, profile.thresholds(modality))
    return a, decide(a, profile.rules(modality))


def from_assessment(
    path: str, a: Assessment, ms: float, lang: str, verdict: Verdict | None = None
) -> dict[str, Any]:
    defects = [{**d.to_dict(), **catalogue.lookup(d.code, lang)} for d in a.defects]
    reasons = [
        {"code": c, **catalogue.lookup(c, lang)} for c in (verdict.reasons if verdict else ())
    ]
    return {
        "path": path,
        "modality": a.modality,
        "quality": a.quality,
        "failure_reason": a.failure_reason,
        "defects": defects,
        "measures": {k: m.to_dict() for k, m in a.measures.items()},
        "decision": str(verdict.decision) if verdict else None,
        "reasons": reasons,
        "ms": round(ms, 3),
        "error": None,
    }


def from_error(path: str, modality: str, err: BiocapError | OSError, ms: float) -> dict[str, Any]:
    if isinstance(err, BiocapError):
        error = err.to_dict()
    else:
        error = {"code": "unreadable_file", "message": f"{type(err).__name__}: {err.strerror}"}
    return {
        "path": path,
        "modality": modality,
        "quality": None,
        "failure_reason": None,
        "defects": [],
        "measures": {},
        "decision": None,
        "reasons": [],
        "ms": round(ms, 3),
        "error": error,
    }


def score_file(
    path: Path,
    modality: str,
    *,
    ppi: float | None = None,
    lang: str = "en",
    profile: Profile | None = None,
) -> dict[str, Any]:
    """Decode, assess and decide one file; a bad file becomes an error record, never raises."""
    profile = profile or load_profile()
    t0 = time.perf_counter()
    try:
        a, verdict = evaluate(read(path, ppi=ppi, modality=modality), profile)
    except (BiocapError, OSError) as e:
        return from_error(str(path), modality, e, 1000 * (time.perf_counter() - t0))
    return from_assessment(str(path), a, 1000 * (time.perf_counter() - t0), lang, verdict)
