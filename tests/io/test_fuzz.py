"""For any byte string, decode returns a Capture or raises BiocapError: nothing else escapes."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biocap.capture import Capture
from biocap.errors import BiocapError
from biocap.io import decode
from tests.io.images import encode, ridges

SEEDS = {
    "PNG": encode(ridges(40, 48), "PNG"),
    "WSQ": encode(ridges(64, 64), "WSQ"),
    "JPEG": encode(ridges(40, 48), "JPEG"),
    "JPEG2000": encode(ridges(40, 48), "JPEG2000", irreversible=False),
    "TIFF": encode(ridges(40, 48), "TIFF"),
    "BMP": encode(ridges(40, 48), "BMP"),
}
# Pillow warns (UserWarning) about malformed TIFF tags it skips; expected here.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _decode_or_typed_error(data: bytes, **kw: object) -> None:
    try:
        capture = decode(data, **kw)
    except BiocapError as exc:
        assert isinstance(exc.code, str) and exc.code
        return
    assert isinstance(capture, Capture)
    assert capture.pixels.dtype.name == "uint8"
    assert capture.pixels.ndim in (2, 3)


@FUZZ
@given(st.binary(max_size=2048))
def test_arbitrary_bytes(data):
    _decode_or_typed_error(data)


@FUZZ
@given(
    st.binary(min_size=1, max_size=4096),
    st.integers(1, 80),
    st.integers(1, 80),
)
def test_arbitrary_bytes_with_raw_dimensions(data, width, height):
    _decode_or_typed_error(data, width=width, height=height)


@st.composite
def mutated(draw, seed: bytes) -> bytes:
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 8))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_mutated_valid_files(fmt):
    @FUZZ
    @given(mutated(SEEDS[fmt]))
    def check(data):
        _decode_or_typed_error(data)

    check()
