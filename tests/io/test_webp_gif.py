"""WebP and GIF (first frame) decode with the same guards as every other container."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import pytest
from PIL import GifImagePlugin, Image, ImageFile, WebPImagePlugin

from biocap.errors import BiocapError
from biocap.io import SUPPORTED_FORMATS, decode, read
from tests.io.images import colour, encode, ridges

GREY = ridges(96, 128)


def _code(data: bytes) -> str:
    with pytest.raises(BiocapError) as info:
        decode(data)
    return info.value.code


def test_both_are_supported_formats():
    assert {"WEBP", "GIF"} <= set(SUPPORTED_FORMATS)


@pytest.mark.parametrize("fmt", ["WEBP", "GIF"])
def test_lossless_grey_round_trip(fmt):
    options = {"lossless": True} if fmt == "WEBP" else {}
    capture = decode(encode(GREY, fmt, **options))
    assert capture.format == fmt
    assert capture.pixels.dtype == np.uint8 and capture.pixels.ndim == 2
    np.testing.assert_array_equal(capture.pixels, GREY)


def test_lossless_webp_colour_round_trip():
    rgb = colour()
    capture = decode(encode(rgb, "WEBP", lossless=True))
    assert capture.is_colour
    np.testing.assert_array_equal(capture.pixels, rgb)


def test_lossy_webp_within_tolerance():
    rgb = np.repeat(GREY[..., None], 3, axis=2)
    rgb[..., 0] //= 2  # colour, so it stays 3 channels
    capture = decode(encode(rgb, "WEBP", quality=90))
    assert capture.pixels.shape == rgb.shape
    assert np.abs(capture.pixels.astype(int) - rgb).mean() < 6


@pytest.mark.parametrize("fmt", ["GIF", "WEBP"])
def test_animation_gives_its_first_frame(fmt):
    frames = [Image.fromarray(np.full((64, 80), v, np.uint8)).convert("RGB") for v in (30, 200)]
    frames[0].putpixel((0, 0), (255, 0, 0))  # colour, so the first frame is recognisable
    data = encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=100)
    capture = decode(data)
    assert capture.meta.get("animated") is True
    assert capture.pixels.shape == (64, 80, 3)
    assert abs(int(np.median(capture.pixels)) - 30) <= 2


def test_transparent_gif_is_composited_on_white():
    im = Image.fromarray(np.full((40, 40), 50, np.uint8)).convert("P")
    data = encode(im, "GIF", transparency=im.getpixel((0, 0)))
    assert (decode(data).pixels == 255).all()


def _gif_header(width: int, height: int) -> bytes:
    """A GIF whose screen and first frame declare ``width x height`` but carry 1 byte of LZW."""
    screen = b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + bytes(6)
    frame = b"," + struct.pack("<HHHHB", 0, 0, width, height, 0) + b"\x02\x01\x44\x00"
    return screen + frame + b";"


def _webp_header(width: int, height: int) -> bytes:
    """An extended-format (VP8X) WebP declaring a ``width x height`` canvas and a tiny VP8L."""
    vp8x = (
        bytes([0, 0, 0, 0]) + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little")
    )
    bits = (min(width, 16384) - 1) | (min(height, 16384) - 1) << 14
    vp8l = b"\x2f" + bits.to_bytes(4, "little") + bytes(8)
    body = b"WEBP" + b"VP8X" + struct.pack("<I", 10) + vp8x + b"VP8L" + struct.pack("<I", 13)
    body += vp8l + b"\x00"  # chunk padding to an even size
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.mark.parametrize("header", [_gif_header, _webp_header])
@pytest.mark.parametrize("side", [7000, 16000])  # over our 40 Mpx; over Pillow's own 80 Mpx
def test_declared_pixels_are_refused_before_decoding(header, side, monkeypatch):
    def refuse(self):
        raise AssertionError("pixels were decoded")

    for cls in (ImageFile.ImageFile, GifImagePlugin.GifImageFile, WebPImagePlugin.WebPImageFile):
        monkeypatch.setattr(cls, "load", refuse)
    data = header(side, side)
    assert len(data) < 100
    assert _code(data) == "decompression_bomb"


@pytest.mark.parametrize("fmt", ["WEBP", "GIF"])
def test_truncated(fmt):
    options = {"lossless": True} if fmt == "WEBP" else {}
    data = encode(ridges(256, 256), fmt, **options)
    assert _code(data[: len(data) // 2]) == "corrupt_image"


@pytest.mark.parametrize("data", [b"RIFF\x10\x00\x00\x00WAVEfmt ", b"GIF8", b"RIFF"])
def test_lookalikes_are_not_taken_for_these_formats(data):
    assert _code(data) == "unsupported_format"


def test_read_from_files(tmp_path: Path):
    for fmt in ("WEBP", "GIF"):
        path = tmp_path / f"grey.{fmt.lower()}"
        path.write_bytes(encode(GREY, fmt, **({"lossless": True} if fmt == "WEBP" else {})))
        assert read(path).format == fmt


def test_folders_pick_them_up_in_the_cli_and_the_audit(tmp_path: Path):
    from biocap.audit.sources import kind_of
    from biocap.cli import iter_inputs

    for name in ("a.webp", "b.GIF"):
        (tmp_path / name).write_bytes(encode(GREY, "GIF"))
    assert [p.name for p in iter_inputs([str(tmp_path)])] == ["a.webp", "b.GIF"]
    assert {kind_of(tmp_path / n) for n in ("a.webp", "b.GIF")} == {kind_of(tmp_path / "c.png")}
