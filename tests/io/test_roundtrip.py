"""Every supported container decodes back to the pixels that were written."""

from __future__ import annotations

import numpy as np
import pytest

from biocap.capture import Capture
from biocap.io import SUPPORTED_FORMATS, decode
from tests.io.images import colour, encode, ridges

GREY = ridges(96, 128)


@pytest.mark.parametrize(
    ("pillow_format", "options", "expected_format"),
    [
        ("PNG", {}, "PNG"),
        ("BMP", {}, "BMP"),
        ("TIFF", {}, "TIFF"),
        ("TIFF", {"compression": "tiff_lzw"}, "TIFF"),
        ("PPM", {}, "PGM"),
        ("JPEG2000", {"irreversible": False}, "JPEG2000"),
        ("JPEG2000", {"irreversible": False, "no_jp2": True}, "JPEG2000"),
    ],
)
def test_lossless_grey_round_trip(pillow_format, options, expected_format):
    capture = decode(encode(GREY, pillow_format, **options))
    assert isinstance(capture, Capture)
    assert capture.format == expected_format
    assert capture.pixels.dtype == np.uint8
    np.testing.assert_array_equal(capture.pixels, GREY)


@pytest.mark.parametrize(
    ("pillow_format", "expected_format"),
    [("PNG", "PNG"), ("BMP", "BMP"), ("TIFF", "TIFF"), ("PPM", "PPM")],
)
def test_lossless_colour_round_trip(pillow_format, expected_format):
    rgb = colour()
    capture = decode(encode(rgb, pillow_format))
    assert capture.format == expected_format
    assert capture.is_colour
    np.testing.assert_array_equal(capture.pixels, rgb)


def test_jpeg_within_tolerance():
    capture = decode(encode(GREY, "JPEG", quality=95))
    assert capture.format == "JPEG"
    assert capture.pixels.shape == GREY.shape
    assert np.abs(capture.pixels.astype(int) - GREY).mean() < 3


def test_wsq_within_tolerance():
    image = ridges(256, 256)
    capture = decode(encode(image, "WSQ"))
    assert capture.format == "WSQ"
    assert capture.pixels.shape == image.shape
    assert capture.pixels.dtype == np.uint8
    assert np.abs(capture.pixels.astype(int) - image).mean() < 4


def test_plain_pgm_is_read():
    data = b"P2\n40 32\n255\n" + b" ".join(b"7" for _ in range(40 * 32)) + b"\n"
    capture = decode(data)
    assert capture.format == "PGM"
    assert capture.pixels.shape == (32, 40)
    assert (capture.pixels == 7).all()


def test_supported_formats_name_every_output_format():
    assert set(SUPPORTED_FORMATS) == {
        "PNG", "JPEG", "BMP", "TIFF", "PGM", "PPM", "WSQ", "JPEG2000", "WEBP", "GIF", "RAW",
    }  # fmt: skip


def test_caller_fields_are_carried():
    capture = decode(encode(GREY, "PNG"), source="station-3", modality="finger", position=2)
    assert (capture.source, capture.modality, capture.position) == ("station-3", "finger", 2)
