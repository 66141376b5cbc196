"""Things every router shares: the engine, the API key check, JSON answers."""

from __future__ import annotations

import hmac
import json
import math
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.requests import HTTPConnection

from api.engine import Engine
from api.errors import ApiError
from api.schemas import ErrorResponse

API_KEY_HEADER = "X-API-Key"

#: documented error answers (the one error shape)
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": text}
    for status, text in (
        (400, "bad parameter or empty body (invalid_parameter, empty_body, ...)"),
        (401, "missing or wrong API key"),
        (413, "body or declared pixel count over the limit (image_too_large, decompression_bomb)"),
        (415, "not a supported image format (unsupported_format)"),
        (422, "image bytes that do not decode (corrupt_image, image_too_small)"),
        (503, "no answer within the time limit (timeout)"),
    )
}


def engine(request: Request) -> Engine:
    return request.app.state.engine


async def check_api_key(request: Request) -> None:
    """Dependency: when an API key is configured, the ``X-API-Key`` header must match it.

    ``async`` although it never awaits: FastAPI runs a sync dependency in its thread pool, one
    thread hop per request."""
    if not api_key_ok(request, request.headers.get(API_KEY_HEADER, "")):
        raise ApiError(401, "unauthorized", f"missing or wrong {API_KEY_HEADER} header")


def api_key_ok(conn: HTTPConnection, given: str) -> bool:
    """True when no API key is configured or ``given`` is it (compared in constant time)."""
    expected = conn.app.state.settings.api_key
    return not expected or hmac.compare_digest(given.encode(), expected.encode())


def to_json(body: Any) -> str:
    """Compact JSON; a core's NaN/inf raw value (e.g. on a blank image) becomes null."""
    try:
        return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:
        return json.dumps(_finite(body), ensure_ascii=False, separators=(",", ":"))


def json_response(body: Any, status: int = 200) -> Response:
    """Compact JSON without a second pydantic pass (the hot path answers ~100 fields)."""
    return Response(to_json(body), status_code=status, media_type="application/json")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
