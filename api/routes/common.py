"""Things every router shares: the engine, the API key check, JSON answers."""

from __future__ import annotations

import hmac
import json
import math
from typing import Any

from fastapi import Request
from fastapi.responses import Response

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
    expected = request.app.state.settings.api_key
    if not expected:
        return
    given = request.headers.get(API_KEY_HEADER, "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise ApiError(401, "unauthorized", f"missing or wrong {API_KEY_HEADER} header")


def json_response(body: Any, status: int = 200) -> Response:
    """Compact JSON without a second pydantic pass (the hot path answers ~100 fields)."""
    try:
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except ValueError:  # a core's NaN/inf raw value (e.g. on a blank image): JSON has null
        text = json.dumps(_finite(body), ensure_ascii=False, separators=(",", ":"))
    return Response(text, status_code=status, media_type="application/json")


def _finite(value: Any) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
