"""Resampling to the cores' nominal resolution."""

from __future__ import annotations

import numpy as np
import pytest

from biocap.errors import BiocapError
from biocap.io import decode, resample_to_ppi
from tests.io.images import colour, encode, ridges


def _capture(ppi: float | None, image: np.ndarray | None = None):
    image = ridges(200, 100) if image is None else image
    return decode(encode(image, "PNG"), ppi=ppi)


def test_shrinks_1000_ppi_to_500():
    out = resample_to_ppi(_capture(1000))
    assert out.pixels.shape == (100, 50)
    assert (out.ppi, out.ppi_source, out.meta["native_ppi"]) == (500.0, "resampled", 1000.0)
    assert out.pixels.dtype == np.uint8


def test_enlarges_250_ppi_to_500():
    out = resample_to_ppi(_capture(250))
    assert out.pixels.shape == (400, 200)


def test_keeps_colour():
    out = resample_to_ppi(_capture(1000, colour(64, 80)))
    assert out.pixels.shape == (32, 40, 3)


@pytest.mark.parametrize("ppi", [None, 500, 509, 491])
def test_returns_the_same_capture_when_close_or_unknown(ppi):
    capture = _capture(ppi)
    assert resample_to_ppi(capture) is capture


def test_ridge_period_scales_with_resolution():
    out = resample_to_ppi(_capture(1000, ridges(256, 256, period_px=18)))
    spectrum = np.abs(np.fft.rfft(out.pixels[64].astype(float) - out.pixels[64].mean()))
    period = out.width / np.argmax(spectrum)
    assert period == pytest.approx(9 / np.cos(0.5), rel=0.1)


def test_absurd_ppi_cannot_ask_for_a_huge_image():
    with pytest.raises(BiocapError) as info:
        resample_to_ppi(_capture(1))
    assert info.value.code == "decompression_bomb"


@pytest.mark.parametrize("target", [0, -1, float("nan"), 20_000])
def test_invalid_target(target):
    with pytest.raises(BiocapError) as info:
        resample_to_ppi(_capture(1000), target)
    assert info.value.code == "invalid_parameter"
