"""Fuzzing: schemathesis from the OpenAPI document, and hypothesis on raw bodies and queries.

Whatever arrives, the answer is a 2xx or a 4xx in the one error shape; never a 5xx.
(The 10,000-request soak with memory before/after is ``benchmarks/service_fuzz.py``.)
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import Settings, create_app
from tests.api.conftest import error_of, make_client, png
from tests.io.images import ridges

APP = create_app(Settings(timeout_s=30.0), warm_up=False)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
EXAMPLES = int(os.environ.get("BIOCAP_FUZZ_EXAMPLES", "25"))


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_openapi_fuzz_never_5xx(case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.path, response.status_code, response.text[:300])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])


_PNG = png(ridges(120, 110))
_CLIENT = make_client(timeout_s=30.0)


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int) -> bytes:
    out = bytearray(data)
    for at, value in edits:
        out[at % len(out)] = value
    return bytes(out[: max(0, len(out) - cut)])


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    edits=st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8),
    cut=st.integers(0, 200),
    query=st.dictionaries(
        st.sampled_from(["ppi", "position", "width", "height", "profile", "subject", "map"]),
        st.text(max_size=12),
        max_size=3,
    ),
    ctype=st.sampled_from(["application/octet-stream", "image/png", "multipart/form-data", ""]),
)
def test_mutated_images_and_queries_never_5xx(
    edits: list[tuple[int, int]], cut: int, query: dict[str, str], ctype: str
) -> None:
    body = _mutate(_PNG, edits, cut)
    headers = {"Content-Type": ctype} if ctype else {}
    r = _CLIENT.post("/v1/finger/assess", params=query, content=body, headers=headers)
    assert r.status_code < 500, r.text[:300]
    if r.status_code >= 400:
        error_of(r)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_never_5xx(data: bytes) -> None:
    for path in ("/v1/finger/assess", "/v1/mosip/check-quality"):
        r = _CLIENT.post(path, content=data)
        assert r.status_code < 500, r.text[:300]


@pytest.mark.parametrize("prefix", [b"FIR\x00020\x00", b"FAC\x00030\x00", b"IIR\x00020\x00"])
def test_truncated_records_as_bodies(prefix: bytes) -> None:
    r = _CLIENT.post("/v1/finger/assess", content=prefix + bytes(20))
    assert r.status_code in {400, 415, 422}
    error_of(r)
