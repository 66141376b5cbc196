"""``POST /v1/{modality}/assess``: one route per modality registered in ``assessors()``."""

import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.body import read_image
from api.engine import AssessRequest
from api.routes.common import ERRORS, engine, json_response
from api.schemas import AssessResponse

_IMAGE_TYPES = ("application/octet-stream", "image/png", "image/jpeg")

IMAGE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The image: raw body (PNG, JPEG, BMP, TIFF, PGM, WSQ, JPEG 2000, an "
        "ISO/IEC 19794-4/-5/-6 record, or raw 8-bit grey with width and height), or a "
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


def add_assess_route(router: APIRouter, modality: str) -> None:
    async def assess(
        request: Request,
        ppi: Annotated[
            float | None, Query(gt=0, le=10_000, description="resolution when the file has none")
        ] = None,
        position: Annotated[
            str | None,
            Query(max_length=16, description=_POSITION_HELP.get(modality, "capture position")),
        ] = None,
        profile: Annotated[
            str | None,
            Query(
                max_length=64,
                pattern=r"^[A-Za-z0-9_-]+$",
                description="policy profile (default, child, strict ...)",
            ),
        ] = None,
        subject: Annotated[
            str | None,
            Query(
                min_length=1,
                max_length=128,
                description="opaque enrolment id: attempts are remembered per subject and "
                "position (accept / retake / exception after the profile's max_attempts)",
            ),
        ] = None,
        width: Annotated[
            int | None, Query(ge=1, le=20_000, description="raw grey frame width")
        ] = None,
        height: Annotated[
            int | None, Query(ge=1, le=20_000, description="raw grey frame height")
        ] = None,
        map: Annotated[
            bool, Query(description="include the quality map and overlay geometry")
        ] = False,
        lang: Annotated[
            str, Query(pattern=r"^[a-z]{2,3}$", description="operator message language")
        ] = "en",
    ) -> Response:
        t0 = time.perf_counter()
        eng = engine(request)
        data = await read_image(request, eng.settings.max_body_bytes)
        req = AssessRequest(modality, ppi, position, profile, subject, width, height, map, lang)
        rec = await eng.run(eng.assess, data, req)
        rec["latency_ms"]["total"] = round(1000 * (time.perf_counter() - t0), 3)
        return json_response(rec)

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
        openapi_extra=IMAGE_BODY,
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
        from biocap import face
        from biocap.io import decode

        eng = engine(request)
        data = await read_image(request, eng.settings.max_body_bytes)

        def work() -> bytes:
            capture = decode(data, modality="face", limits=eng.settings.limits)
            return face.token_image(capture, fmt=format)

        out = await eng.run(work)
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
