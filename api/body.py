"""Request bodies: the image as raw bytes or one multipart file, size-limited while streaming.

The byte limit is checked on ``Content-Length`` first, then on the bytes actually received, so
a client cannot make a worker buffer more than ``max_body_bytes`` whatever it declares.
"""

from __future__ import annotations

from starlette.datastructures import UploadFile
from starlette.requests import ClientDisconnect, Request

from api.errors import ApiError
from biocap.errors import EmptyInputError, ImageTooLargeError

#: form field names tried for the image in a multipart body (else the first file)
IMAGE_FIELDS = ("image", "file", "data")


async def read_limited(request: Request, max_bytes: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            size = int(declared)
        except ValueError:
            raise ApiError(400, "bad_request", "Content-Length is not a number") from None
        if size > max_bytes:
            raise ImageTooLargeError(
                f"body of {size} bytes, over the limit of {max_bytes}",
                size=size,
                max_bytes=max_bytes,
            )
    chunks: list[bytes] = []
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > max_bytes:
                raise ImageTooLargeError(
                    f"body over the limit of {max_bytes} bytes", max_bytes=max_bytes
                )
            chunks.append(chunk)
    except ClientDisconnect:
        raise ApiError(400, "client_disconnected", "the client went away mid-body") from None
    return b"".join(chunks)


async def read_image(request: Request, max_bytes: int) -> bytes:
    """The image bytes of a raw body or of a ``multipart/form-data`` body's file part."""
    body = await read_limited(request, max_bytes)
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        if not body:
            raise EmptyInputError("no image bytes in the request body")
        return body
    request._body = body  # Starlette's form parser reads this instead of the (spent) stream
    try:
        form = await request.form(max_files=4, max_fields=32, max_part_size=max_bytes)
    except Exception as exc:  # python-multipart raises several types on malformed bodies
        raise ApiError(
            400, "malformed_multipart", f"cannot parse the multipart body: {exc}"
        ) from None
    try:
        part = next((form[k] for k in IMAGE_FIELDS if isinstance(form.get(k), UploadFile)), None)
        if part is None:
            part = next((v for v in form.values() if isinstance(v, UploadFile)), None)
        if part is None:
            raise EmptyInputError("multipart body has no file part (send it as 'image')")
        data = await part.read()
    finally:
        await form.close()
    if not data:
        raise EmptyInputError("the multipart file part is empty")
    return data
