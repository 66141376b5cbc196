"""ppi: caller wins, then a plausible file value, else unknown."""

from __future__ import annotations

import math

import pytest

from biocap.errors import InvalidParameterError
from biocap.io import decode
from tests.io.images import encode, jp2_with_capture_resolution, ridges

GREY = ridges(64, 64)


@pytest.mark.parametrize("fmt", ["PNG", "TIFF", "BMP", "JPEG"])
def test_file_ppi_is_read(fmt):
    capture = decode(encode(GREY, fmt, dpi=(500, 500)))
    assert capture.ppi == pytest.approx(500, abs=0.1)
    assert capture.ppi_source == "file"


def test_jp2_capture_resolution_box_is_read():
    capture = decode(jp2_with_capture_resolution(GREY, 1000))
    assert capture.ppi == pytest.approx(1000, abs=0.1)
    assert capture.ppi_source == "file"


def test_wsq_ppi_comes_from_nist_comment():
    capture = decode(encode(ridges(256, 256), "WSQ"))
    assert (capture.ppi, capture.ppi_source) == (500.0, "file")


def test_tiff_resolution_in_centimetres_is_converted():
    data = encode(GREY, "TIFF", resolution=200, resolution_unit="cm")
    assert decode(data).ppi == pytest.approx(508.0)


@pytest.mark.parametrize(("fmt", "dpi"), [("JPEG", 72), ("PNG", 96), ("TIFF", 1), ("BMP", 100)])
def test_screen_defaults_and_nonsense_mean_unknown(fmt, dpi):
    capture = decode(encode(GREY, fmt, dpi=(dpi, dpi)))
    assert (capture.ppi, capture.ppi_source) == (None, "assumed")
    assert capture.meta["file_ppi"] == pytest.approx(dpi, abs=0.1)


def test_anisotropic_resolution_means_unknown():
    capture = decode(encode(GREY, "TIFF", dpi=(500, 250)))
    assert capture.ppi is None


def test_no_resolution_in_file_means_unknown():
    capture = decode(encode(GREY, "PPM"))
    assert (capture.ppi, capture.ppi_source) == (None, "assumed")
    assert "file_ppi" not in capture.meta


def test_caller_ppi_wins_over_file():
    capture = decode(encode(GREY, "PNG", dpi=(500, 500)), ppi=1000)
    assert (capture.ppi, capture.ppi_source) == (1000.0, "caller")
    assert capture.meta["file_ppi"] == pytest.approx(500, abs=0.1)


@pytest.mark.parametrize("ppi", [0, -500, math.nan, math.inf, 10_001, "500", True])
def test_invalid_caller_ppi(ppi):
    with pytest.raises(InvalidParameterError) as info:
        decode(encode(GREY, "PNG"), ppi=ppi)
    assert info.value.code == "invalid_parameter"
