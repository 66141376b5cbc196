"""What an assessment process runs for ``POST /v1/finger/slap/assess``.

One request carries one slap (raw body or multipart ``image``) or a whole ten-print (multipart
parts ``right``, ``left``, ``thumbs``; or an ISO/IEC 19794-4 record / ANSI/NIST-ITL transaction
with slap images, positions 13-15). Records with single fingers (positions 1-12) are scored
finger by finger with the finger core. A right and a left slap in one request that each show
the other hand's geometry are reported as swapped hands.
Module-level functions of picklable arguments, like :mod:`api.work`.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from biocap import catalogue
from biocap.errors import InvalidParameterError
from biocap.finger.slap import assess_slap, kind_of, sequence
from biocap.finger.slap.positions import KIND_OF_POSITION
from biocap.io import Limits, decode, iso19794
from biocap.policy import load_profile
from biocap.policy.slap import decide_slap
from biocap.records import evaluate, from_assessment
from biocap.slaprecords import slap_record


@dataclass(frozen=True, slots=True)
class SlapRequest:
    slap: str | None = None
    ppi: float | None = None
    profile: str | None = None
    subject: str | None = None
    declared: dict[int, str] = field(default_factory=dict)
    width: int | None = None
    height: int | None = None
    with_map: bool = False
    lang: str = "en"
    #: templates of this subject's earlier slaps (from the attempt book): kind -> pos -> xyt
    earlier: dict[str, dict[int, list[list[float]]]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SlapsAssessed:
    records: list[dict[str, Any]]  # one per slap or single finger, in request order
    seconds: float
    #: templates of this request's slaps, for the attempt book: kind -> position -> xyt
    templates: dict[str, dict[int, list[list[float]]]] = field(default_factory=dict)


def _captures(part: str | None, data: bytes, req: SlapRequest, limits: Limits):
    """(slap kind or None for a single finger, capture) for every image of one body part."""
    wanted = kind_of(part) or kind_of(req.slap)
    if iso19794.sniff(data) == "finger":
        out = []
        for cap in iso19794.parse(data):
            if req.ppi is not None:
                cap = dataclasses.replace(cap, ppi=float(req.ppi), ppi_source="caller")
            pos = cap.position if isinstance(cap.position, int) else None
            out.append((KIND_OF_POSITION.get(pos or 0), cap))
        if not out:
            raise InvalidParameterError("the record holds no image")
        return out
    if wanted is None:
        raise InvalidParameterError(
            "say which slap this is: slap=right|left|thumbs (or send multipart parts named "
            "right, left, thumbs)"
        )
    cap = decode(data, source=part or "request", ppi=req.ppi, width=req.width,
                 height=req.height, modality="finger", limits=limits)  # fmt: skip
    return [(wanted, cap)]


def assess(
    parts: list[tuple[str | None, bytes]],
    req: SlapRequest,
    limits: Limits,
    default_profile: str,
) -> SlapsAssessed:
    """Decode, segment, assess and decide every slap of the request; right and left slaps in
    one request are checked for swapped hands."""
    t0 = time.perf_counter()
    profile = load_profile(req.profile or default_profile)
    captures = [kc for part, data in parts for kc in _captures(part, data, req, limits)]
    # templates only when there is something to compare them with
    sequence = sum(k is not None for k, _ in captures) > 1 or req.subject is not None
    records: list[dict[str, Any]] = []
    slaps = []
    for kind, cap in captures:
        t1 = time.perf_counter()
        if kind is None:  # a single finger of a multi-finger record
            a, verdict = evaluate(cap, profile)
            rec = from_assessment(cap.source, a, 1000 * (time.perf_counter() - t1),
                                  req.lang, verdict)  # fmt: skip
            rec["position"] = cap.position
            records.append(rec)
            continue
        slap = assess_slap(cap, kind, profile.thresholds("finger"), templates=sequence)
        verdict = decide_slap(slap, profile, req.declared)
        ms = 1000 * (time.perf_counter() - t1)
        rec = slap_record(cap.source, slap, verdict, ms, req.lang, with_map=req.with_map)
        rec["image"] = {"width": cap.width, "height": cap.height, "format": cap.format,
                        "ppi": cap.ppi, "ppi_source": cap.ppi_source}  # fmt: skip
        if req.with_map:
            from api.work import _preview

            rec["preview"] = _preview(cap)
        records.append(rec)
        slaps.append((kind, slap))
    _swapped(slaps, records, req.lang)
    mine = {
        str(kind): {f.position: f.template for f in slap.fingers if f.template is not None}
        for kind, slap in slaps
    }
    if sequence:
        _sequence(mine, req, slaps, records)
    kept = {k: {p: t.round(1).tolist() for p, t in v.items()} for k, v in mine.items()}
    return SlapsAssessed(records, time.perf_counter() - t0, kept)


def _sequence(mine, req: SlapRequest, slaps, records) -> None:
    """The sequence check over this request's slaps and the subject's earlier ones (a slap
    taken again replaces its earlier template); findings retake the slaps concerned."""
    earlier = {
        k: {int(p): np.asarray(t, np.float32).reshape(-1, 3) for p, t in v.items()}
        for k, v in req.earlier.items()
        if k not in mine
    }
    findings = sequence.check({**earlier, **mine})
    slap_records = [r for r in records if r.get("modality") == "slap"]
    by_kind = {str(k): r for (k, _), r in zip(slaps, slap_records, strict=True)}
    for finding in findings:
        entry = {"code": finding.code, **catalogue.lookup(finding.code, req.lang)}
        for kind in (finding.slap_a, finding.slap_b):
            rec = by_kind.get(kind)
            if rec is None:
                continue  # a slap of an earlier request: the new one is retaken
            rec.setdefault("sequence", []).append(finding.to_dict())
            rec["reasons"].insert(0, entry)
            rec["decision"] = "retake"


def _swapped(slaps, records, lang: str) -> None:
    """Right and left slaps that each look like the other hand: the hands were swapped."""
    seen = {
        str(kind): rec
        for (kind, _), rec in zip(
            slaps, [r for r in records if r.get("modality") == "slap"], strict=True
        )
    }
    right, left = seen.get("right"), seen.get("left")
    if not right or not left:
        return
    if right["hand"].get("observed") == "left" and left["hand"].get("observed") == "right":
        entry = {"code": "slap.hands_swapped", **catalogue.lookup("slap.hands_swapped", lang)}
        for rec in (right, left):
            rec["reasons"].insert(0, entry)
            rec["decision"] = "retake"
