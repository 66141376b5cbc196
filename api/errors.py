"""One error shape for every 4xx/5xx: ``{"error": {"code": ..., "message": ...}}``.

Codes are the contract (``biocap.errors`` for image problems, a few service ones here);
messages are for people. A 500 is a bug: the fuzz tests assert none is ever answered.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from biocap.errors import BiocapError

log = logging.getLogger("biocap.api")

#: BiocapError code -> HTTP status
STATUS: dict[str, int] = {
    "empty_body": 400,
    "invalid_parameter": 400,
    "unknown_profile": 400,
    "image_too_large": 413,
    "decompression_bomb": 413,
    "unsupported_format": 415,
    "corrupt_image": 422,
    "image_too_small": 422,
    "no_single_face": 422,
}

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "image_too_large",
    415: "unsupported_media_type",
    422: "invalid_parameter",
    503: "unavailable",
}


class ApiError(Exception):
    """A service-level refusal with a stable code (not about the image itself)."""

    def __init__(self, status: int, code: str, message: str, **details: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled whole: raised on assessment processes, answered by the HTTP process."""
        return _rebuild, (self.status, self.code, self.message, self.details)


def _rebuild(status: int, code: str, message: str, details: dict[str, Any]) -> ApiError:
    return ApiError(status, code, message, **details)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **details: Any
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = _jsonable(details)
    headers = {**(headers or {}), "X-Error-Code": code}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return repr(value)


def biocap_error_response(err: BiocapError) -> JSONResponse:
    return error_response(STATUS.get(err.code, 400), err.code, err.message, **err.details)


def install(app: FastAPI) -> None:
    """Exception handlers that turn everything into the one error shape."""

    @app.exception_handler(BiocapError)
    async def _biocap(_: Request, exc: BiocapError) -> JSONResponse:
        return biocap_error_response(exc)

    @app.exception_handler(ApiError)
    async def _api(_: Request, exc: ApiError) -> JSONResponse:
        headers = {"WWW-Authenticate": "ApiKey"} if exc.status == 401 else None
        return error_response(exc.status, exc.code, exc.message, headers, **exc.details)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        first = problems[0] if problems else {"where": "", "problem": "invalid request"}
        return error_response(
            400,
            "invalid_parameter",
            f"{first['where']}: {first['problem']}",
            problems=problems,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, f"http_{exc.status_code}")
        return error_response(exc.status_code, code, str(exc.detail), exc.headers)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal_error", f"{type(exc).__name__} (a bug: please report)")
