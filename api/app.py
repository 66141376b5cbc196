"""App factory: ``create_app(settings)`` builds the FastAPI app for one worker process."""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import errors, metrics
from api.engine import Engine
from api.routes import assess, mosip, ops, slap, stream, subjects
from api.routes.common import check_api_key
from api.settings import Settings
from biocap import __version__
from biocap.runtime import tune_allocator


class Count:
    """Pure ASGI middleware (cheaper than BaseHTTPMiddleware): request counts per route and
    status, refused requests per error code, and a ``Server-Timing`` header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        seen: dict[str, object] = {}

        async def send_timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                seen["status"] = message["status"]
                headers = list(message.get("headers", ()))
                for k, v in headers:
                    if k == b"x-error-code":
                        seen["code"] = v.decode("latin-1")
                ms = 1000 * (time.perf_counter() - t0)
                headers.append((b"server-timing", f"app;dur={ms:.2f}".encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_timed)
        route = getattr(scope.get("route"), "path", "unmatched")
        metrics.REQUESTS.labels(route, str(seen.get("status", 0))).inc()
        if "code" in seen:
            metrics.ERRORS.labels(str(seen["code"])).inc()


def create_app(settings: Settings | None = None, *, warm_up: bool = True) -> FastAPI:
    """The HTTP process's app: tunes the process, builds the engine, mounts the routes.

    The modality routes come from ``biocap.records.assessors()`` at creation time, so face and
    iris endpoints appear as soon as their cores are registered.
    """
    settings = settings or Settings.from_env()
    # for ``workers = 0``, which runs the cores in this process (the workers tune themselves)
    tune_allocator()  # glibc would otherwise return image buffers to the OS (~3 ms/image)
    import cv2

    cv2.setNumThreads(1)  # one image per thread: OpenCV's pool only adds hand-off cost here

    # python-multipart logs every malformed body at WARNING; the 400 answer already says it
    logging.getLogger("python_multipart").setLevel(logging.ERROR)
    eng = Engine(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            eng.warm_up()
        else:
            eng.ready = True
        yield
        eng.close()

    app = FastAPI(
        title="biocap capture-station service",
        version=__version__,
        description=(
            "Capture quality for enrolment stations: fingerprint, face and iris quality 0-100, "
            "defect codes with operator messages, accept / retake / exception with attempt "
            "history, and a MOSIP BioSDK-compatible checkQuality. Every error answer is "
            '`{"error": {"code": ..., "message": ...}}`.'
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = eng
    app.state.face_token = "face" in eng.modalities
    errors.install(app)

    guard = [check_api_key]
    app.include_router(assess.build(eng.modalities, app.state.face_token, guard))
    app.include_router(slap.build(guard))
    app.include_router(subjects.build(guard))
    app.include_router(mosip.build(guard))
    app.include_router(stream.build(eng.modalities, settings.max_streams))  # its own key check
    app.include_router(ops.build())
    app.mount("/static", StaticFiles(directory=ops.STATIC), name="static")

    app.add_middleware(Count)
    return app
