"""MOSIP BioSDK ``checkQuality`` (biosdk-service ``POST /check-quality``), same request and
response shape, so a MOSIP registration client or compliance toolkit can point at biocap.

Request: ``{"version": ..., "request": base64(JSON {"sample": BiometricRecord,
"modalitiesToCheck": ["FINGER", ...], "flags": {}})}``; each BIR segment's ``bdb`` is a base64
ISO/IEC 19794-4/-5/-6 record (a plain image is accepted too). Response: per modality, ``score``
(mean biocap quality over that modality's segments, 0-100), ``errors`` (defect and retake codes
as MOSIP BiometricError) and ``analyticsInfo`` (string map: per segment quality, decision,
defects, position). A broken envelope is an HTTP 400 in biocap's error shape; a segment that
cannot be read is reported inside the MOSIP answer (statusCode 401 when nothing was scored), as
biosdk-service does.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api import metrics
from api.body import read_limited
from api.errors import ApiError
from api.lang import negotiate
from api.routes.common import ERRORS, engine, json_response
from api.schemas import MosipRequest, MosipResponse
from api.settings import Settings
from biocap import catalogue
from biocap.capture import Capture
from biocap.errors import BiocapError, InvalidParameterError
from biocap.io import decode, iso19794
from biocap.policy import load_profile
from biocap.records import evaluate

#: MOSIP subtype words -> ISO/IEC 19794-4 finger position
_FINGER = {"thumb": 0, "indexfinger": 1, "middlefinger": 2, "ringfinger": 3, "littlefinger": 4}
MAX_SEGMENTS = 16

_REQUEST_DOC = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": MosipRequest.model_json_schema()}},
    }
}


def _b64(text: str) -> bytes:
    """MOSIP writes URL-safe base64, often unpadded; standard base64 is accepted too."""
    cleaned = "".join(text.split())
    pad = "=" * (-len(cleaned) % 4)
    try:
        if "-" in cleaned or "_" in cleaned:
            return base64.urlsafe_b64decode(cleaned + pad)
        return base64.b64decode(cleaned + pad, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ApiError(400, "invalid_base64", f"not base64: {exc}") from None


def _bad(message: str) -> ApiError:
    return ApiError(400, "invalid_request", message)


def _dto(body: bytes) -> dict[str, Any]:
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise _bad(f"body is not JSON: {exc}") from None
    if not isinstance(envelope, dict) or "request" not in envelope:
        raise _bad('expected {"version": ..., "request": base64(checkQualityBody)}')
    inner = envelope["request"]
    if isinstance(inner, str):
        try:
            inner = json.loads(_b64(inner))
        except (ValueError, UnicodeDecodeError) as exc:
            raise _bad(f"request is not base64 of a JSON object: {exc}") from None
    if not isinstance(inner, dict):
        raise _bad("request must be an object (or base64 of one)")
    return inner


def _modality(types: Any) -> str | None:
    if isinstance(types, list) and types and isinstance(types[0], str):
        name = types[0].strip().lower()
        return name if name in ("finger", "face", "iris") else None
    return None


def _position(modality: str, subtype: Any) -> int | str | None:
    words = [w.lower() for w in subtype if isinstance(w, str)] if isinstance(subtype, list) else []
    if modality == "iris":
        return next((w for w in words if w in ("left", "right")), None)
    if modality == "finger" and len(words) >= 2 and words[-1] in _FINGER:
        side = 5 if words[0] == "left" else 0 if words[0] == "right" else None
        return None if side is None else side + _FINGER[words[-1]] + 1
    return None


def _captures(
    modality: str, data: bytes, position: int | str | None, settings: Settings
) -> list[Capture]:
    if iso19794.sniff(data) is not None:
        caps = iso19794.parse(data)
        return [c if c.position not in (None, 0) else _with(c, position) for c in caps]
    return [decode(data, modality=modality, position=position, limits=settings.limits)]


def _with(cap: Capture, position: int | str | None) -> Capture:
    import dataclasses

    return dataclasses.replace(cap, position=position)


#: per image scored: modality, decode + assess seconds, decision (the HTTP process counts them)
Observation = tuple[str, float, str]


def check_quality(
    settings: Settings, modalities: list[str], dto: dict[str, Any], version: str, lang: str = "en"
) -> tuple[dict[str, Any], list[Observation]]:
    """The MOSIP answer (runs on an assessment worker), and what the metrics count; retake
    reasons carry the catalogue's message in ``lang``."""
    sample = dto.get("sample")
    segments = sample.get("segments") if isinstance(sample, dict) else None
    if not isinstance(segments, list):
        raise _bad("sample.segments must be a list of BIRs")
    if len(segments) > MAX_SEGMENTS:
        raise _bad(f"at most {MAX_SEGMENTS} segments per request")
    asked = dto.get("modalitiesToCheck") or []
    if not isinstance(asked, list) or not all(isinstance(m, str) for m in asked):
        raise _bad("modalitiesToCheck must be a list of modality names")
    wanted = {m.strip().lower(): m for m in asked}
    profile = load_profile(settings.profile)
    seen: list[Observation] = []
    per: dict[str, dict[str, Any]] = {}
    top_errors: list[dict[str, str]] = []
    for i, seg in enumerate(segments):
        info = seg.get("bdbInfo") if isinstance(seg, dict) else None
        modality = _modality(info.get("type")) if isinstance(info, dict) else None
        if modality is None or (wanted and modality not in wanted):
            continue
        key = wanted.get(modality, modality.upper())
        slot = per.setdefault(key, {"scores": [], "errors": [], "info": {}})
        if modality not in modalities:
            slot["errors"].append(_err(key, "modality_not_supported", f"{modality} not enabled"))
            continue
        bdb = seg.get("bdb")
        try:
            if not isinstance(bdb, str) or not bdb:
                raise InvalidParameterError("segment has no bdb")
            position = _position(modality, info.get("subtype"))
            caps = _captures(modality, _b64(bdb), position, settings)
        except (BiocapError, ApiError) as exc:
            code = getattr(exc, "code", "invalid_request")
            slot["errors"].append(_err(key, code, f"segment {i}: {exc}"))
            continue
        for j, cap in enumerate(caps):
            t0 = time.perf_counter()
            a, verdict = evaluate(cap, profile)
            seen.append((modality, time.perf_counter() - t0, str(verdict.decision)))
            tag = f"segment{i}" + (f".{j}" if len(caps) > 1 else "")
            slot["scores"].append(0 if a.quality == 255 else a.quality)
            slot["info"] |= {
                f"{tag}.quality": str(a.quality),
                f"{tag}.decision": str(verdict.decision),
                f"{tag}.position": "" if cap.position is None else str(cap.position),
                f"{tag}.defects": ",".join(d.code for d in a.defects),
            }
            for code in verdict.reasons:
                said = catalogue.lookup(code, lang)["message"]
                slot["errors"].append(_err(key, code, f"{tag}: {said} ({code})"))
    if not per:
        top_errors.append({"errorCode": "BIOMETRIC_NOT_FOUND_IN_CBEFF", "message": "no segment"})
    scores = {
        key: {
            "score": round(sum(s["scores"]) / len(s["scores"]), 2) if s["scores"] else 0.0,
            "errors": s["errors"],
            "analyticsInfo": {"engine": "biocap", "profile": profile.name, **s["info"]},
        }
        for key, s in per.items()
    }
    scored = any(s["scores"] for s in per.values())
    answer = {
        "version": version,
        "responsetime": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
        "response": {
            "statusCode": 200 if scored else 401,
            "statusMessage": "OK" if scored else "INVALID_INPUT: no segment could be scored",
            "response": {"scores": scores, "analyticsInfo": {}},
        },
        "errors": top_errors,
    }
    return answer, seen


def _err(modality: str, code: str, message: str) -> dict[str, str]:
    return {"modalityName": modality, "errorCode": code, "errorMessage": message}


def build(dependencies: list) -> APIRouter:
    router = APIRouter(tags=["mosip"], dependencies=[Depends(d) for d in dependencies])

    async def mosip_check_quality(request: Request) -> Response:
        eng = engine(request)
        body = await read_limited(request, eng.settings.max_body_bytes)
        dto = _dto(body)
        version = "1.0"
        try:
            envelope_version = json.loads(body).get("version")
            version = envelope_version if isinstance(envelope_version, str) else version
        except (ValueError, AttributeError):
            pass
        s = eng.settings
        lang = negotiate(
            request.query_params.get("lang"), request.headers.get("accept-language"), s.lang
        )
        answer, seen = await eng.run(check_quality, s, eng.modalities, dto, version, lang)
        for observation in seen:
            metrics.assessed(*observation)
        response = json_response(answer)
        response.headers["Content-Language"] = lang
        return response

    for path, shown in (
        ("/v1/mosip/check-quality", True),
        ("/biosdk-service/check-quality", False),
    ):
        router.add_api_route(
            path,
            mosip_check_quality,
            methods=["POST"],
            summary="MOSIP BioSDK checkQuality (ISO/IEC 19794 records in, scores out)",
            response_model=MosipResponse,
            responses=ERRORS,
            openapi_extra=_REQUEST_DOC,
            include_in_schema=shown,
            name=f"mosip_check_quality{'' if shown else '_alias'}",
        )
    return router
