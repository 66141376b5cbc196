"""Pixel layout normalisation: alpha, palettes, equal channels, 16-bit, frames, EXIF."""

from __future__ import annotations

import numpy as np
from PIL import Image

from biocap.io import decode
from tests.io.images import colour, encode, ridges


def test_rgba_is_composited_on_white():
    rgba = np.zeros((40, 50, 4), np.uint8)
    rgba[..., 0] = 200
    rgba[:, :25, 3] = 255  # left half opaque red-ish, right half fully transparent
    capture = decode(encode(rgba, "PNG"))
    assert capture.pixels.shape == (40, 50, 3)
    np.testing.assert_array_equal(capture.pixels[0, 0], [200, 0, 0])
    np.testing.assert_array_equal(capture.pixels[0, -1], [255, 255, 255])


def test_grey_with_alpha_becomes_grey():
    la = Image.merge("LA", [Image.fromarray(ridges(40, 40)), Image.new("L", (40, 40), 255)])
    capture = decode(encode(la, "PNG"))
    assert capture.pixels.shape == (40, 40)
    np.testing.assert_array_equal(capture.pixels, ridges(40, 40))


def test_grey_palette_becomes_grey():
    image = Image.fromarray(ridges(48, 48)).convert("P")
    capture = decode(encode(image, "PNG"))
    assert capture.meta["mode"] == "P"
    assert capture.pixels.ndim == 2


def test_colour_palette_becomes_rgb():
    image = Image.fromarray(colour(48, 48)).quantize(16)
    capture = decode(encode(image, "PNG"))
    assert capture.pixels.shape == (48, 48, 3)
    np.testing.assert_array_equal(capture.pixels, np.asarray(image.convert("RGB")))


def test_palette_with_transparency_is_composited():
    image = Image.fromarray(colour(48, 48)).quantize(16)
    capture = decode(encode(image, "PNG", transparency=0))
    assert capture.pixels.shape == (48, 48, 3)
    transparent = np.asarray(image) == 0
    assert (capture.pixels[transparent] == 255).all()


def test_colour_with_equal_channels_becomes_grey():
    grey = ridges(50, 60)
    capture = decode(encode(np.dstack([grey] * 3), "PNG"))
    assert capture.pixels.shape == (50, 60)
    np.testing.assert_array_equal(capture.pixels, grey)


def test_bilevel_becomes_0_255_grey():
    image = Image.fromarray(ridges(40, 40) > 127).convert("1")
    capture = decode(encode(image, "PNG"))
    assert capture.pixels.dtype == np.uint8
    assert set(np.unique(capture.pixels)) <= {0, 255}


def test_cmyk_jpeg_becomes_rgb():
    image = Image.fromarray(colour(40, 40)).convert("CMYK")
    capture = decode(encode(image, "JPEG", quality=95))
    assert capture.pixels.shape == (40, 40, 3)


def _sixteen_bit(fmt: str) -> bytes:
    values = (1000 + ridges(64, 64).astype(np.uint16) * 10).astype(np.uint16)  # 1000..3540
    return encode(Image.fromarray(values), fmt)


def test_16_bit_png_is_stretched_to_8_bit():
    capture = decode(_sixteen_bit("PNG"))
    assert capture.pixels.dtype == np.uint8
    assert capture.meta["converted_from"] == "16-bit"
    assert (capture.pixels.min(), capture.pixels.max()) == (0, 255)
    order = np.argsort(ridges(64, 64), axis=None, kind="stable")
    assert (np.diff(capture.pixels.ravel()[order].astype(int)) >= 0).all()  # monotone mapping


def test_16_bit_tiff_is_stretched_to_8_bit():
    capture = decode(_sixteen_bit("TIFF"))
    assert capture.meta["converted_from"] == "16-bit"
    assert capture.pixels.max() == 255


def test_flat_16_bit_image_does_not_crash():
    capture = decode(encode(Image.fromarray(np.full((40, 40), 777, np.uint16)), "PNG"))
    assert capture.pixels.shape == (40, 40)


def test_multi_frame_tiff_gives_first_frame():
    first, second = ridges(40, 40), 255 - ridges(40, 40)
    frames = [Image.fromarray(first), Image.fromarray(second)]
    data = encode(frames[0], "TIFF", save_all=True, append_images=frames[1:])
    capture = decode(data)
    assert capture.meta["frames"] == 2
    np.testing.assert_array_equal(capture.pixels, first)


def test_jpeg_exif_orientation_is_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    capture = decode(encode(ridges(48, 64), "JPEG", exif=exif.tobytes()))
    assert capture.pixels.shape == (64, 48)
