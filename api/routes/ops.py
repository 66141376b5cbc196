"""Operations: liveness, readiness (models loaded), Prometheus metrics, the operator page."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response

from api import metrics
from api.lang import shipped
from api.routes.common import engine, json_response
from api.schemas import Health, Ready

STATIC = Path(__file__).resolve().parents[1] / "static"


def build() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", response_model=Health)
    async def healthz() -> Response:
        """The process answers."""
        return json_response({"status": "ok"})

    @router.get("/readyz", response_model=Ready, responses={503: {"model": Ready}})
    async def readyz(request: Request) -> Response:
        """Every registered core was imported and ran once (models loaded)."""
        eng = engine(request)
        body = {"ready": eng.ready, "modalities": eng.modalities, "warm_up_ms": eng.warm_ms}
        return json_response(body, 200 if eng.ready else 503)

    @router.get("/metrics", response_class=Response)
    async def prometheus() -> Response:
        """Prometheus exposition: request counts, latency histograms per modality, decisions."""
        data, ctype = metrics.render()
        return Response(data, media_type=ctype)

    @router.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @router.get("/v1/modalities", tags=["operations"])
    async def modalities(request: Request) -> Response:
        """Registered modalities and policy profiles (the operator page builds its menu here)."""
        from biocap.policy import profile_names

        eng = engine(request)
        return json_response(
            {
                "modalities": eng.modalities,
                "profiles": profile_names(),
                "default_profile": eng.settings.profile,
                "face_token": request.app.state.face_token,
                "lang": eng.settings.lang,  # the station's language (BIOCAP_LANG)
                "languages": list(shipped()),
            }
        )

    return router
