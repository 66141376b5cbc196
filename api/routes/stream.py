"""``WS /v1/{modality}/stream``: live frames in, light verdicts and a ``captured`` event out.

The protocol (README, "Live capture"): every binary message is one frame (JPEG, PNG, PGM ... as
the assess route decodes them; raw 8-bit grey with ``width`` and ``height`` in the query); text
messages are JSON control, ``{"type": "reset"}`` for the next capture. The server sends JSON:
``ready``, then a ``verdict`` per scored frame, ``captured`` when a frame is kept, ``error``
for a frame that does not decode or a refusal.

The API key is the one ``/v1`` asks for, in the ``X-API-Key`` header or, for browsers (which
cannot set headers on a WebSocket), the ``key`` query parameter; a wrong one is answered like
``/v1``: HTTP 401 in the one error shape, no upgrade.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, WebSocket
from pydantic import ValidationError

from api.errors import error_response
from api.lang import negotiate
from api.routes.assess import AssessQuery
from api.routes.common import API_KEY_HEADER, api_key_ok, engine
from api.stream import CLOSE_POLICY, CLOSE_TRY_LATER, Session, Streams
from api.work import AssessRequest, parse_position
from biocap.errors import BiocapError
from biocap.policy import load_profile


def build(modalities: list[str], max_streams: int) -> APIRouter:
    router = APIRouter()
    streams = Streams(max_streams)
    for modality in modalities:
        router.add_api_websocket_route(
            f"/v1/{modality}/stream", _endpoint(modality, streams), name=f"stream_{modality}"
        )
    return router


def _endpoint(modality: str, streams: Streams) -> Callable[[WebSocket], Awaitable[None]]:
    async def stream(websocket: WebSocket) -> None:
        given = websocket.headers.get(API_KEY_HEADER) or websocket.query_params.get("key", "")
        if not api_key_ok(websocket, given):
            await _deny(websocket, 401, "unauthorized", f"missing or wrong {API_KEY_HEADER}")
            return
        eng = engine(websocket)  # type: ignore[arg-type]
        settings = eng.settings
        lang = negotiate(
            websocket.query_params.get("lang"),
            websocket.headers.get("accept-language"),
            settings.lang,
        )
        try:
            q = AssessQuery.model_validate(dict(websocket.query_params))
            parse_position(modality, q.position)
            rules = load_profile(q.profile or settings.profile).rules(modality).stream
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            await _refuse(websocket, CLOSE_POLICY, "invalid_parameter", f"{where}: {first['msg']}")
            return
        except BiocapError as exc:
            await _refuse(websocket, CLOSE_POLICY, exc.code, exc.message)
            return
        if not streams.enter():
            await _refuse(
                websocket,
                CLOSE_TRY_LATER,
                "busy",
                f"{streams.limit} live streams are open (the service's max_streams): try later",
            )
            return
        try:
            await websocket.accept()
            req = AssessRequest(
                modality, q.ppi, q.position, q.profile, q.subject, q.width, q.height, False, lang
            )
            await Session(websocket, eng, req, rules).run()
        finally:
            streams.leave()

    stream.__name__ = f"stream_{modality}"
    return stream


async def _deny(websocket: WebSocket, status: int, code: str, message: str) -> None:
    """An HTTP answer instead of the upgrade (where the server can send one), else a close."""
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        await websocket.send_denial_response(error_response(status, code, message))
    else:
        await websocket.close(CLOSE_POLICY, code)


async def _refuse(websocket: WebSocket, close: int, code: str, message: str) -> None:
    """Accept, say why in an ``error`` event (a browser cannot read a refused upgrade), close."""
    await websocket.accept()
    await websocket.send_json({"type": "error", "seq": None, "code": code, "message": message})
    await websocket.close(close, code)
