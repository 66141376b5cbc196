"""``POST /v1/finger/slap/assess``: a ten-print slap (or all three) segmented and scored.

Raw body (one slap; ``slap=right|left|thumbs``) or multipart (``image`` with ``slap=``, or
parts named ``right``, ``left``, ``thumbs`` for the whole 4-4-2 capture in one request, which
also checks the right and left slaps for swapped hands). ISO/IEC 19794-4 records are scored
image by image: slap images (positions 13-15) segmented, single fingers scored as fingers. With
``subject=`` the attempts per slap are remembered like any capture's.
"""

from __future__ import annotations

import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.datastructures import UploadFile

from api import metrics, slapwork
from api.body import read_limited
from api.errors import ApiError
from api.routes.common import ERRORS, engine, json_response
from biocap.errors import EmptyInputError
from biocap.policy import Decision, Verdict, load_profile
from biocap.policy.slap import parse_declared

SLAP_PARTS = ("right", "left", "thumbs")
#: the attempt book's key for a subject's slap minutiae templates
TEMPLATES = "slap.templates"


class SlapQuery(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)

    slap: str | None = Field(
        None,
        pattern=r"^(right|left|thumbs|13|14|15)$",
        description="which slap: right, left or thumbs",
    )
    ppi: float | None = Field(
        None, gt=0, le=10_000, description="resolution when the file has none"
    )
    profile: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")
    subject: str | None = Field(
        None, min_length=1, max_length=128, description="enrolment id: attempts and sequence check"
    )
    missing: str | None = Field(
        None, max_length=64, description="fingers declared missing: 4:amputated,5:bandaged"
    )
    width: int | None = Field(None, ge=1, le=20_000)
    height: int | None = Field(None, ge=1, le=20_000)
    map: bool = Field(False, description="per-finger quality maps and a preview image")
    lang: str = Field("en", pattern=r"^[a-z]{2,3}$")


def _query(request: Request) -> SlapQuery:
    try:
        return SlapQuery.model_validate(dict(request.query_params))
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
        raise RequestValidationError(errors) from None


async def _parts(request: Request, max_bytes: int) -> list[tuple[str | None, bytes]]:
    body = await read_limited(request, max_bytes)
    if not request.headers.get("content-type", "").lower().startswith("multipart/form-data"):
        if not body:
            raise EmptyInputError("no image bytes in the request body")
        return [(None, body)]
    request._body = body
    try:
        form = await request.form(max_files=8, max_fields=32, max_part_size=max_bytes)
    except Exception as exc:  # python-multipart raises several types on malformed bodies
        raise ApiError(
            400, "malformed_multipart", f"cannot parse the multipart body: {exc}"
        ) from None
    try:
        files = [(k, v) for k, v in form.multi_items() if isinstance(v, UploadFile)]
        named = [(k, v) for k, v in files if k in SLAP_PARTS]
        chosen = named or files[:1]
        if not chosen:
            raise EmptyInputError(
                "multipart body has no file part (send 'image' or right/left/thumbs)"
            )
        out = []
        for k, v in chosen:
            data = await v.read()
            if not data:
                raise EmptyInputError(f"the multipart part {k!r} is empty")
            out.append((k if k in SLAP_PARTS else None, data))
    finally:
        await form.close()
    return out


async def assess_slaps(request: Request) -> Response:
    t0 = time.perf_counter()
    q = _query(request)
    eng = engine(request)
    s = eng.settings
    declared = parse_declared(q.missing)
    parts = await _parts(request, s.max_body_bytes)
    earlier = (eng.book.kept(q.subject, TEMPLATES) or {}) if q.subject else {}
    req = slapwork.SlapRequest(
        q.slap, q.ppi, q.profile, q.subject, declared, q.width, q.height, q.map, q.lang, earlier
    )
    done = await eng.run(slapwork.assess, parts, req, s.limits, s.profile)
    if q.subject:
        _attempts(eng, q, done.records)
        # the subject's slap templates (minutiae only), for the sequence check of later slaps
        eng.book.keep(q.subject, TEMPLATES, {**earlier, **done.templates})
    for rec in done.records:
        metrics.assessed(
            rec.get("modality", "slap"), done.seconds / len(done.records), str(rec.get("decision"))
        )
    body: dict[str, Any] = {
        "slaps": [r for r in done.records if r.get("modality") == "slap"],
        "fingers": [r for r in done.records if r.get("modality") != "slap"],
        "latency_ms": {
            "assess": round(1000 * done.seconds, 3),
            "total": round(1000 * (time.perf_counter() - t0), 3),
        },
    }
    if len(done.records) == 1 and body["slaps"]:
        body = {**body["slaps"][0], "latency_ms": body["latency_ms"]}
    return json_response(body)


def _attempts(eng, q: SlapQuery, records: list[dict[str, Any]]) -> None:
    """The attempt book, per subject and slap: exception after the profile's max attempts."""
    profile = load_profile(q.profile or eng.settings.profile)
    rules = profile.rules("slap")
    for rec in records:
        if rec.get("modality") != "slap":
            continue
        decision = Decision(rec["decision"])
        reasons = tuple(r["code"] for r in rec["reasons"])
        told = Verdict(Decision.ACCEPT if decision is Decision.EXCEPTION else decision, reasons)
        quality = int(rec["quality"]) if rec["quality"] is not None else 255
        outcome = eng.book.record(q.subject, "slap", rec["slap"], quality, told, rules)
        rec["attempts"] = outcome.to_dict()
        if decision is not Decision.EXCEPTION:
            rec["decision"] = str(outcome.decision)


def build(dependencies: list[Any]) -> APIRouter:
    router = APIRouter(dependencies=[Depends(d) for d in dependencies])
    router.add_api_route(
        "/v1/finger/slap/assess",
        assess_slaps,
        methods=["POST"],
        name="assess_slap",
        summary="Segment and assess a ten-print slap (4-4-2)",
        description=__doc__,
        responses=ERRORS,
        tags=["finger"],
        openapi_extra={
            "parameters": [
                {"name": n, "in": "query", "required": False, "schema": {"type": t}}
                for n, t in (
                    ("slap", "string"),
                    ("ppi", "number"),
                    ("profile", "string"),
                    ("subject", "string"),
                    ("missing", "string"),
                    ("width", "integer"),
                    ("height", "integer"),
                    ("map", "boolean"),
                    ("lang", "string"),
                )
            ],
            "requestBody": {
                "required": True,
                "content": {
                    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                k: {"type": "string", "format": "binary"}
                                for k in ("image", *SLAP_PARTS)
                            },
                        }
                    },
                },
            },
        },
    )
    return router
