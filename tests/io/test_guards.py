"""Bad input gets a typed error with a stable code, before any expensive work."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import ImageFile

from biocap.errors import BiocapError
from biocap.io import DEFAULT_LIMITS, Limits, decode
from tests.io.images import encode, png_header_only, ridges

GREY = ridges(128, 128)


def _code(data: bytes, **kw: object) -> str:
    with pytest.raises(BiocapError) as info:
        decode(data, **kw)
    return info.value.code


@pytest.fixture
def no_pixel_decoding(monkeypatch):
    """Fail loudly if any Pillow decoder is asked for pixels."""

    def refuse(self):
        raise AssertionError("pixels were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)


def test_default_limits():
    assert Limits(50 * 1024 * 1024, 40_000_000, 32, 20_000) == DEFAULT_LIMITS


def test_empty():
    assert _code(b"") == "empty_body"


def test_over_byte_limit_is_refused_before_sniffing():
    assert _code(b"\x89PNG" + bytes(2000), limits=Limits(max_bytes=1000)) == "image_too_large"
    assert _code(bytes(DEFAULT_LIMITS.max_bytes + 1)) == "image_too_large"


@pytest.mark.usefixtures("no_pixel_decoding")
@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (7000, 7000), (25_000, 40)])
def test_decompression_bomb_is_refused_from_the_header(width, height):
    data = png_header_only(width, height)
    assert len(data) < 100
    assert _code(data) == "decompression_bomb"


@pytest.mark.usefixtures("no_pixel_decoding")
def test_caller_limits_apply_to_declared_pixels():
    assert _code(encode(GREY, "PNG"), limits=Limits(max_pixels=100 * 100)) == "decompression_bomb"


def test_too_small():
    assert _code(encode(np.zeros((5, 5), np.uint8), "PNG")) == "image_too_small"


@pytest.mark.parametrize(
    ("fmt", "options"),
    [
        ("PNG", {}),
        ("JPEG", {}),
        ("WSQ", {}),
        ("JPEG2000", {"irreversible": False}),
        ("JPEG2000", {"irreversible": False, "no_jp2": True}),
        ("TIFF", {"compression": "tiff_lzw"}),
        ("BMP", {}),
        ("PPM", {}),
    ],
)
@pytest.mark.filterwarnings("ignore:Corrupt EXIF")
def test_truncated(fmt, options):
    data = encode(ridges(256, 256), fmt, **options)
    assert _code(data[: len(data) // 2]) == "corrupt_image"


@pytest.mark.parametrize(
    "data",
    [
        np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes(),
        b"hello, this is not an image\n",
        b'{"image": "base64..."}',
        b"\x00",
    ],
)
def test_unknown_bytes(data):
    assert _code(data) == "unsupported_format"


def test_magic_without_a_body_is_corrupt():
    assert _code(b"\x89PNG\r\n\x1a\n") == "corrupt_image"
    assert _code(b"P5 not really a pgm") == "corrupt_image"


def test_raw_frame():
    frame = ridges(40, 50)
    capture = decode(frame.tobytes(), width=50, height=40, ppi=500)
    assert (capture.format, capture.ppi, capture.ppi_source) == ("RAW", 500.0, "caller")
    np.testing.assert_array_equal(capture.pixels, frame)


def test_raw_frame_wins_over_a_chance_magic():
    frame = np.full((40, 40), 9, np.uint8)
    frame.flat[:2] = [ord("B"), ord("M")]
    assert decode(frame.tobytes(), width=40, height=40).format == "RAW"


def test_raw_frame_of_wrong_size():
    assert _code(bytes(40 * 50 - 1), width=50, height=40) == "corrupt_image"


def test_encoded_image_with_raw_dimensions_is_decoded_by_its_magic():
    assert decode(encode(GREY, "PNG"), width=50, height=40).format == "PNG"


def test_tiny_raw_frame():
    assert _code(bytes(25), width=5, height=5) == "image_too_small"


@pytest.mark.parametrize(
    "kw",
    [
        {"width": 50},
        {"height": 40},
        {"width": 0, "height": 40},
        {"width": 50.0, "height": 40},
        {"width": True, "height": 40},
        {"modality": "nose"},
    ],
)
def test_invalid_parameters(kw):
    assert _code(bytes(2000), **kw) == "invalid_parameter"


def test_non_bytes_input():
    assert _code("not bytes") == "invalid_parameter"  # type: ignore[arg-type]


def test_invalid_limits():
    with pytest.raises(BiocapError) as info:
        Limits(min_side=0)
    assert info.value.code == "invalid_parameter"
