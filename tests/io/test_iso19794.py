"""ISO/IEC 19794-4/-5/-6 records: built in code, parsed back, and broken on purpose."""

from __future__ import annotations

import contextlib
import struct

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from biocap.errors import BiocapError, CorruptImageError, UnsupportedFormatError
from biocap.io import iso19794
from biocap.io.iso19794 import RecordImage, build, parse, sniff
from tests.io.images import colour, encode, ridges

GREY = ridges(96, 80)
RGB = colour(72, 88)


def _payload(kind: str) -> tuple[bytes, np.ndarray]:
    if kind == "RAW":
        return GREY.tobytes(), GREY
    if kind == "PNG":
        return encode(GREY, "PNG"), GREY
    if kind == "JPEG2000":
        return encode(GREY, "JPEG2000", irreversible=False), GREY
    if kind == "WSQ":
        return encode(GREY, "WSQ"), GREY
    if kind == "JPEG":
        return encode(RGB, "JPEG", quality=95), RGB
    raise AssertionError(kind)


@pytest.mark.parametrize("edition", [2005, 2011])
@pytest.mark.parametrize("kind", ["RAW", "PNG", "JPEG2000", "WSQ"])
def test_finger_round_trip(edition: int, kind: str) -> None:
    data, pixels = _payload(kind)
    record = build(
        "finger", [RecordImage(data, 80, 96, position=7, ppi=500, quality=60)], edition=edition
    )
    assert sniff(record) == "finger"
    (cap,) = parse(record)
    assert cap.modality == "finger"
    assert cap.position == 7
    assert cap.ppi == 500 and cap.ppi_source == "caller"
    assert cap.pixels.shape == (96, 80)
    if kind != "WSQ":  # WSQ is lossy
        np.testing.assert_array_equal(cap.pixels, pixels)
    else:
        assert np.abs(cap.pixels.astype(int) - pixels).mean() < 8
    meta = cap.meta["iso19794"]
    assert meta["part"] == 4 and meta["edition"] == edition
    assert meta["record_length"] == len(record)
    if edition == 2011:
        assert meta["quality_blocks"] == [{"score": 60, "vendor": 0x0F, "algorithm": 1}]


def test_finger_ppi_in_pixels_per_cm() -> None:
    record = bytearray(build("finger", [RecordImage(GREY.tobytes(), 80, 96, 1)], edition=2005))
    record[19] = 2  # scale units: pixels per cm
    struct.pack_into(">H", record, 24, 197)  # 197 ppcm ~ 500 ppi
    (cap,) = parse(bytes(record))
    assert cap.ppi == pytest.approx(500.4)


def test_finger_record_with_several_positions() -> None:
    images = [RecordImage(encode(GREY, "PNG"), 80, 96, position=p) for p in (2, 3, 4, 5)]
    caps = parse(build("finger", images))
    assert [c.position for c in caps] == [2, 3, 4, 5]
    assert [c.meta["iso19794"]["index"] for c in caps] == [0, 1, 2, 3]


@pytest.mark.parametrize("edition", [2005, 2011])
@pytest.mark.parametrize("kind", ["JPEG", "JPEG2000"])
def test_face_round_trip(edition: int, kind: str) -> None:
    data, pixels = _payload(kind)
    h, w = pixels.shape[:2]
    (cap,) = parse(build("face", [RecordImage(data, w, h)], edition=edition))
    assert cap.modality == "face" and cap.position is None and cap.ppi is None
    assert cap.pixels.shape[:2] == (h, w)
    assert cap.meta["iso19794"]["part"] == 5
    assert cap.meta["iso19794"]["edition"] == edition


def test_face_2011_reads_landmarks() -> None:
    """A record with two landmark points (MOSIP writes 8-byte points with a z)."""
    data = encode(GREY, "PNG")
    record = bytearray(build("face", [RecordImage(data, 80, 96)], edition=2011))
    # insert 2 landmarks after the 17-byte facial information block of the first representation
    at = 17 + 4 + 9 + 5 + 1  # general header, length, date, device, quality count
    struct.pack_into(">H", record, at, 2)
    points = struct.pack(">BBHHH", 1, 0x31, 30, 40, 0) + struct.pack(">BBHHH", 1, 0x42, 50, 40, 0)
    record[at + 17 : at + 17] = points
    struct.pack_into(">I", record, 8, len(record))
    struct.pack_into(">I", record, 17, len(record) - 17)
    (cap,) = parse(bytes(record))
    marks = cap.meta["iso19794"]["landmarks"]
    assert [(m["code"], m["x"], m["y"]) for m in marks] == [("3.1", 30, 40), ("4.2", 50, 40)]


@pytest.mark.parametrize("edition", [2005, 2011])
@pytest.mark.parametrize("kind", ["RAW", "PNG", "JPEG2000"])
def test_iris_round_trip(edition: int, kind: str) -> None:
    data, pixels = _payload(kind)
    images = [RecordImage(data, 80, 96, position="left"), RecordImage(data, 80, 96, "right")]
    caps = parse(build("iris", images, edition=edition))
    assert sorted(c.position for c in caps) == ["left", "right"]
    for cap in caps:
        assert cap.modality == "iris"
        np.testing.assert_array_equal(cap.pixels, pixels)
        assert cap.meta["iso19794"]["part"] == 6


def test_iris_raw_rgb() -> None:
    record = build("iris", [RecordImage(GREY.tobytes(), 80, 96, "right")])
    record = bytearray(record)
    # switch the payload to RGB raw (format 4) of the same size
    fmt_at = 16 + 4 + 9 + 6 + 2 + 2  # ... representation number, eye label, image type
    assert record[fmt_at] == 2
    record[fmt_at] = 4
    rgb = np.dstack([GREY[:32, :40]] * 3)
    struct.pack_into(">HH", record, fmt_at + 2, 40, 32)
    img_at = fmt_at + 1 + 1 + 4 + 1 + 18
    payload = rgb.tobytes()
    record[img_at:] = struct.pack(">I", len(payload)) + payload
    struct.pack_into(">I", record, 16, len(record) - 16)
    struct.pack_into(">I", record, 8, len(record))
    (cap,) = parse(bytes(record))
    assert cap.pixels.shape == (32, 40, 3)


def test_sniff() -> None:
    assert sniff(b"FIR\x00020\x00") == "finger"
    assert sniff(b"FAC\x00") == "face"
    assert sniff(b"IIR\x00") == "iris"
    assert sniff(b"\x89PNG\r\n\x1a\n") is None
    assert sniff(b"") is None


def test_not_a_record_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError):
        parse(encode(GREY, "PNG"))


def test_unknown_version_is_unsupported() -> None:
    record = bytearray(build("finger", [RecordImage(GREY.tobytes(), 80, 96, 1)]))
    record[4:8] = b"099\x00"
    with pytest.raises(UnsupportedFormatError) as err:
        parse(bytes(record))
    assert err.value.code == "unsupported_format"


def test_embedded_garbage_is_unsupported() -> None:
    junk = bytes(range(200))
    record = build("face", [RecordImage(encode(RGB, "JPEG"), 88, 72)])
    record = record[: -len(encode(RGB, "JPEG"))]
    # same record with garbage in place of the JPEG, lengths fixed up
    rec = bytearray(record[:-4]) + struct.pack(">I", len(junk)) + junk
    struct.pack_into(">I", rec, 8, len(rec))
    struct.pack_into(">I", rec, 17, len(rec) - 17)
    with pytest.raises(UnsupportedFormatError):
        parse(bytes(rec))


def test_too_many_images_is_corrupt() -> None:
    record = bytearray(build("finger", [RecordImage(GREY.tobytes(), 80, 96, 1)]))
    struct.pack_into(">H", record, 12, 65535)
    with pytest.raises(CorruptImageError):
        parse(bytes(record))


@pytest.mark.parametrize(
    ("modality", "edition"),
    [(m, e) for m in ("finger", "face", "iris") for e in (2005, 2011)],
)
def test_every_truncation_is_a_typed_error(modality: str, edition: int) -> None:
    kind = "JPEG" if modality == "face" else "RAW"
    data, pixels = _payload(kind)
    h, w = pixels.shape[:2]
    record = build(modality, [RecordImage(data, w, h, position=None)], edition=edition)
    for n in range(len(record)):
        with pytest.raises(BiocapError) as err:
            parse(record[:n])
        assert err.value.code in {"corrupt_image", "unsupported_format"}, n


_RECORDS = [
    build("finger", [RecordImage(encode(GREY, "PNG"), 80, 96, 3)], edition=2011),
    build("finger", [RecordImage(GREY.tobytes(), 80, 96, 3)], edition=2005),
    build("face", [RecordImage(encode(GREY, "PNG"), 80, 96)], edition=2011),
    build("face", [RecordImage(encode(GREY, "PNG"), 80, 96)], edition=2005),
    build("iris", [RecordImage(GREY.tobytes(), 80, 96, "left")], edition=2011),
    build("iris", [RecordImage(GREY.tobytes(), 80, 96, "left")], edition=2005),
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    which=st.integers(0, len(_RECORDS) - 1),
    edits=st.lists(st.tuples(st.integers(0, 140), st.integers(0, 255)), min_size=1, max_size=6),
)
def test_mutated_headers_never_crash(which: int, edits: list[tuple[int, int]]) -> None:
    """Flipping header bytes gives captures or a typed error; nothing else escapes."""
    record = bytearray(_RECORDS[which])
    for at, value in edits:
        record[min(at, len(record) - 1)] = value
    try:
        caps = parse(bytes(record))
    except BiocapError as e:
        assert e.code in {
            "corrupt_image",
            "unsupported_format",
            "decompression_bomb",
            "image_too_small",
        }
        return
    for cap in caps:
        assert cap.pixels.dtype == np.uint8


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300), st.sampled_from([b"FIR\x00", b"FAC\x00", b"IIR\x00"]))
def test_random_bytes_after_magic(tail: bytes, magic: bytes) -> None:
    for version in (b"010\x00", b"020\x00", b"030\x00"):
        with contextlib.suppress(BiocapError):
            parse(magic + version + tail)


def test_max_images_is_exported() -> None:
    assert iso19794.MAX_IMAGES >= 10
