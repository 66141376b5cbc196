"""``POST /v1/{modality}/assess``: one route per modality registered in ``assessors()``."""

from __future__ import annotations

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from api import work
from api.body import read_image
from api.lang import negotiate
from api.routes.common import ERRORS, engine, json_response
from api.schemas import AssessResponse
from api.work import AssessRequest

_IMAGE_TYPES = ("application/octet-stream", "image/png", "image/jpeg", "image/webp", "image/gif")

IMAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The image: raw body (PNG, JPEG, BMP, TIFF, PGM, WSQ, JPEG 2000, WebP, "
        "GIF, an ISO/IEC 19794-4/-5/-6 record, or raw 8-bit grey with width and height), or a "
        "multipart/form-data body with the file in 'image'.",
        "content": {
            **{t: {"schema": {"type": "string", "format": "binary"}} for t in _IMAGE_TYPES},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"image": {"type": "string", "format": "binary"}},
                    "required": ["image"],
                }
            },
        },
    }
}

_POSITION_HELP = {
    "finger": "ISO/IEC 19794-4 finger position 1-10 (0 = unknown)",
    "iris": "eye: left or right",
    "face": "ignored (one face per capture)",
}


class AssessQuery(BaseModel):
    """The assess endpoints' query: validated in one pydantic call.

    FastAPI's per-parameter ``Query()`` validation cost ~0.3 ms per request (a third of the
    service's own overhead); the model gives the same checks, the same 400 answers and the
    same OpenAPI parameters (:func:`query_parameters`).
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    ppi: float | None = Field(
        None, gt=0, le=10_000, description="resolution when the file has none"
    )
    position: str | None = Field(None, max_length=16, description="capture position")
    profile: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[A-Za-z0-9_-]+$",
        description="policy profile (default, child, strict ...)",
    )
    subject: str | None = Field(
        None,
        min_length=1,
        max_length=128,
        description="opaque enrolment id: attempts are remembered per subject and position "
        "(accept / retake / exception after the profile's max_attempts)",
    )
    width: int | None = Field(None, ge=1, le=20_000, description="raw grey frame width")
    height: int | None = Field(None, ge=1, le=20_000, description="raw grey frame height")
    map: bool = Field(False, description="include the quality map and overlay geometry")
    lang: str | None = Field(
        None,
        pattern=r"^[a-z]{2,3}$",
        description="operator message language (en, vi ...); else the best shipped one of "
        "Accept-Language, else the station's BIOCAP_LANG",
    )

    @classmethod
    def parse(cls, request: Request) -> AssessQuery:
        """The request's query, or the 400 ``invalid_parameter`` every route answers."""
        try:
            return cls.model_validate(dict(request.query_params))
        except ValidationError as exc:
            errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors()]
            raise RequestValidationError(errors) from None


def query_parameters(modality: str) -> list[dict[str, Any]]:
    """OpenAPI ``parameters`` of :class:`AssessQuery` (FastAPI documents only its own)."""
    schema = AssessQuery.model_json_schema()
    out = []
    for name, prop in schema["properties"].items():
        prop = dict(prop)
        text = prop.pop("description", "")
        prop.pop("title", None)
        if "anyOf" in prop:  # ``X | None``: a query parameter is absent, never null
            prop |= next(a for a in prop.pop("anyOf") if a.get("type") != "null")
        if name == "position":
            text = _POSITION_HELP.get(modality, text)
        out.append({"name": name, "in": "query", "required": False, "description": text,
                    "schema": prop})  # fmt: skip
    return out


def add_assess_route(router: APIRouter, modality: str) -> None:
    async def assess(request: Request) -> Response:
        t0 = time.perf_counter()
        q = AssessQuery.parse(request)
        eng = engine(request)
        data = await read_image(request, eng.settings.max_body_bytes)
        lang = negotiate(q.lang, request.headers.get("accept-language"), eng.settings.lang)
        req = AssessRequest(
            modality, q.ppi, q.position, q.profile, q.subject, q.width, q.height, q.map, lang
        )
        rec = await eng.assess(data, req)
        rec["latency_ms"]["total"] = round(1000 * (time.perf_counter() - t0), 3)
        response = json_response(rec)
        response.headers["Content-Language"] = lang
        return response

    router.add_api_route(
        f"/v1/{modality}/assess",
        assess,
        methods=["POST"],
        name=f"assess_{modality}",
        summary=f"Assess one {modality} capture",
        description=(
            f"Quality 0-100 (255 + failure_reason when it cannot be computed), measures, defect "
            f"codes with operator messages and a decision for one {modality} image. With "
            "`subject` the service remembers the attempts and decides accept / retake / "
            "exception, naming the best attempt."
        ),
        response_model=AssessResponse,
        responses=ERRORS,
        openapi_extra={**IMAGE_BODY, "parameters": query_parameters(modality)},
        tags=[modality],
    )


def build(modalities: list[str], token: bool, dependencies: list[Any]) -> APIRouter:
    router = APIRouter(dependencies=[Depends(d) for d in dependencies])
    for modality in modalities:
        add_assess_route(router, modality)
    if token:
        add_token_route(router)
    return router


def add_token_route(router: APIRouter) -> None:
    """``POST /v1/face/token``: the ICAO token (cropped) image from ``biocap.face``."""

    async def token(
        request: Request,
        format: Annotated[
            str, Query(pattern=r"^(jpeg|png)$", description="output format")
        ] = "jpeg",
    ) -> Response:
        eng = engine(request)
        data = await read_image(request, eng.settings.max_body_bytes)
        out = await eng.run(work.face_token, data, format, eng.settings.limits)
        return Response(out, media_type=f"image/{format}")

    router.add_api_route(
        "/v1/face/token",
        token,
        methods=["POST"],
        summary="ICAO token image (cropped and aligned face)",
        responses={200: {"content": {"image/jpeg": {}, "image/png": {}}}, **ERRORS},
        openapi_extra=IMAGE_BODY,
        tags=["face"],
        response_class=Response,
    )
