"""ISO/IEC 19794-4 / -5 / -6 image records (finger "FIR", face "FAC", iris "IIR") -> Captures.

National ID platforms (MOSIP among them) pass biometrics as these records, base64 in a CBEFF
BIR. The record is only a wrapper: the pixels are an embedded WSQ, JPEG, JPEG 2000, PNG or raw
frame, decoded by :func:`biocap.io.decode` (magic bytes decide, so a wrong compression code in
the header cannot send bytes to the wrong decoder). Editions read:

========  ==================  ==================  =========================
part      2005 (version)      2011 (version)      layout notes
========  ==================  ==================  =========================
-4 FIR    ``010``             ``020``             2005: 6-byte record length
-5 FAC    ``010``             ``030``             2011: 4-byte image length
-6 IIR    ``010``             ``020``             2005: eyes > images
========  ==================  ==================  =========================

Layouts follow the standards' tables as implemented by MOSIP's biometrics-util converters
(2011) and NIST's biomdi (2005). Every read is bounds-checked: a short or inconsistent record is
``corrupt_image``, an unknown format/version ``unsupported_format``; nothing else escapes.
:func:`build` writes records (2005 and 2011) for tests, benchmarks and integrators' samples.
"""

from __future__ import annotations

import dataclasses
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from biocap.capture import Capture, Modality
from biocap.errors import (
    BiocapError,
    CorruptImageError,
    ImageTooLargeError,
    UnsupportedFormatError,
)
from biocap.io.decode import decode
from biocap.io.limits import DEFAULT_LIMITS, check_dimensions
from biocap.io.sniff import sniff as sniff_container

_MAGIC = {b"FIR\x00": "finger", b"FAC\x00": "face", b"IIR\x00": "iris"}
_PART = {"finger": 4, "face": 5, "iris": 6}
#: version field -> edition year, per part
_EDITIONS = {
    "finger": {b"010\x00": 2005, b"020\x00": 2011},
    "face": {b"010\x00": 2005, b"030\x00": 2011},
    "iris": {b"010\x00": 2005, b"020\x00": 2011},
}
_VERSION = {m: {year: v for v, year in eds.items()} for m, eds in _EDITIONS.items()}
_EYE = {0: None, 1: "right", 2: "left"}
_EYE_CODE = {None: 0, "right": 1, "left": 2}
#: a record holds at most this many images (a 10-print slap set is 10; MOSIP sends 1)
MAX_IMAGES = 64


def sniff(data: bytes) -> str | None:
    """``"finger"``, ``"face"`` or ``"iris"`` when ``data`` starts like a 19794 record."""
    return _MAGIC.get(bytes(data[:4]))


def parse(data: bytes) -> list[Capture]:
    """Every image of a 19794-4/-5/-6 record as a :class:`Capture` (record order).

    ``capture.meta["iso19794"]`` holds the part, edition, version and the header fields read
    (quality blocks, impression type, pose ...); ``position`` is the finger position (1-10,
    0 = unknown) or the eye (``"right"``/``"left"``); ``ppi`` comes from the record (finger
    image resolution; face and iris records carry none).
    """
    if not isinstance(data, bytes | bytearray | memoryview):
        raise CorruptImageError("record must be bytes")
    data = bytes(data)
    modality = sniff(data)
    if modality is None:
        raise UnsupportedFormatError("not an ISO/IEC 19794-4/-5/-6 record (FIR/FAC/IIR)")
    if len(data) > DEFAULT_LIMITS.max_bytes:
        raise ImageTooLargeError(f"{len(data)} bytes, over {DEFAULT_LIMITS.max_bytes}")
    version = data[4:8]
    edition = _EDITIONS[modality].get(version)
    if edition is None:
        raise UnsupportedFormatError(
            f"ISO/IEC 19794-{_PART[modality]} version {version!r} is not read "
            f"(supported: {sorted(v.decode(errors='replace') for v in _EDITIONS[modality])})",
            part=_PART[modality],
        )
    reader = _Reader(data)
    try:
        images = _PARSERS[(modality, edition)](reader)
    except BiocapError:
        raise
    except (struct.error, ValueError, IndexError, OverflowError) as exc:  # belt and braces
        raise CorruptImageError(f"malformed record: {exc}", reason=type(exc).__name__) from exc
    if not images:
        raise CorruptImageError("the record holds no image", part=_PART[modality])
    record = {
        "part": _PART[modality],
        "edition": edition,
        "version": version.rstrip(b"\x00").decode("ascii", "replace"),
        "record_length": reader.record_length,
    }
    if reader.record_length not in (None, len(data)):
        record["record_length_mismatch"] = len(data)
    return [_capture(modality, img, record, i) for i, img in enumerate(images)]


# --------------------------------------------------------------------------------- reading


class _Reader:
    """Big-endian fields with bounds checks: running past the end is ``corrupt_image``."""

    __slots__ = ("at", "data", "record_length")

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.at = 8  # after format identifier and version
        self.record_length: int | None = None

    def take(self, n: int, what: str) -> bytes:
        if n < 0 or self.at + n > len(self.data):
            raise CorruptImageError(
                f"record truncated: {what} needs {n} bytes at offset {self.at}, "
                f"{len(self.data) - self.at} left",
                offset=self.at,
                field=what,
            )
        out = self.data[self.at : self.at + n]
        self.at += n
        return out

    def u(self, n: int, what: str) -> int:
        return int.from_bytes(self.take(n, what), "big")

    def skip(self, n: int, what: str) -> None:
        self.take(n, what)

    def length(self, n: int) -> None:
        """Record length field: must not claim more bytes than were received."""
        value = self.u(n, "record length")
        if value > len(self.data):
            raise CorruptImageError(
                f"record truncated: header declares {value} bytes, got {len(self.data)}",
                declared=value,
                size=len(self.data),
            )
        self.record_length = value


@dataclass(frozen=True, slots=True)
class _Raw:
    """One image found in a record, before pixel decoding."""

    payload: bytes
    width: int
    height: int
    raw: str | None  # "grey" / "rgb" when the header says uncompressed, else None
    ppi: float | None
    position: int | str | None
    fields: dict[str, Any]


def _count(value: int, what: str) -> int:
    if value > MAX_IMAGES:
        raise CorruptImageError(f"{what} = {value}, over {MAX_IMAGES}", count=value)
    return value


def _ppi(units: int, value: int) -> float | None:
    """Scale units 1 = pixels per inch, 2 = pixels per cm; 0 or unknown units: no value."""
    if value <= 0:
        return None
    return float(value) if units == 1 else round(value * 2.54, 1) if units == 2 else None


def _quality_blocks(r: _Reader) -> list[dict[str, int]]:
    n = r.u(1, "number of quality blocks")
    return [
        {
            "score": r.u(1, "quality score"),
            "vendor": r.u(2, "quality vendor"),
            "algorithm": r.u(2, "quality algorithm"),
        }
        for _ in range(n)
    ]


def _capture_info(r: _Reader) -> dict[str, Any]:
    """2011 representation header start: date/time (9), technology, vendor, device type."""
    year, month, day, hour, minute, second, ms = struct.unpack(">HBBBBBH", r.take(9, "date"))
    return {
        "capture_datetime": f"{year:04d}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:"
        f"{second:02d}.{ms % 1000:03d}",
        "device_technology": r.u(1, "device technology"),
        "device_vendor": r.u(2, "device vendor"),
        "device_type": r.u(2, "device type"),
    }


def _payload(r: _Reader, n: int, end: int | None = None) -> bytes:
    if end is not None and r.at + n > end:
        raise CorruptImageError("image data runs past its block", offset=r.at, length=n)
    return r.take(n, "image data")


def _finger_2005(r: _Reader) -> list[_Raw]:
    r.length(6)
    device = r.u(2, "capture device id")
    acquisition = r.u(2, "image acquisition level")
    n = _count(r.u(1, "number of fingers"), "number of fingers")
    units = r.u(1, "scale units")
    scan = (r.u(2, "scan resolution x"), r.u(2, "scan resolution y"))
    image_res = (r.u(2, "image resolution x"), r.u(2, "image resolution y"))
    depth = r.u(1, "pixel depth")
    compression = r.u(1, "compression")
    r.skip(2, "reserved")
    out = []
    for _ in range(n):
        start = r.at
        block = r.u(4, "finger data block length")
        if block < 14:
            raise CorruptImageError(f"finger block length {block} < 14", length=block)
        position = r.u(1, "finger position")
        views, view = r.u(1, "count of views"), r.u(1, "view number")
        quality, impression = r.u(1, "quality"), r.u(1, "impression type")
        width, height = r.u(2, "line length x"), r.u(2, "line length y")
        r.skip(1, "reserved")
        payload = _payload(r, block - 14, start + block)
        out.append(
            _Raw(
                payload,
                width,
                height,
                "grey" if compression in (0, 1) and depth == 8 else None,
                _ppi(units, image_res[0]),
                position,
                {
                    "capture_device_id": device & 0x0FFF,
                    "acquisition_level": acquisition,
                    "scale_units": units,
                    "scan_resolution": list(scan),
                    "image_resolution": list(image_res),
                    "bit_depth": depth,
                    "compression": compression,
                    "view": [view, views],
                    "quality": quality,
                    "impression_type": impression,
                },
            )
        )
    return out


def _finger_2011(r: _Reader) -> list[_Raw]:
    r.length(4)
    n = _count(r.u(2, "number of representations"), "number of representations")
    certified = r.u(1, "certification flag")
    positions = r.u(1, "number of positions")
    out = []
    for _ in range(n):
        start = r.at
        length = r.u(4, "representation length")
        fields = _capture_info(r)
        fields["quality_blocks"] = _quality_blocks(r)
        if certified:
            fields["certification_blocks"] = r.u(1, "certification blocks")
            r.skip(3 * fields["certification_blocks"], "certification blocks")
        position = r.u(1, "finger position")
        fields["representation"] = r.u(1, "representation number")
        units = r.u(1, "scale units")
        fields["scale_units"] = units
        fields["scan_resolution"] = [r.u(2, "capture resolution x"), r.u(2, "capture res y")]
        fields["image_resolution"] = [r.u(2, "image resolution x"), r.u(2, "image res y")]
        depth = fields["bit_depth"] = r.u(1, "bit depth")
        compression = fields["compression"] = r.u(1, "compression")
        fields["impression_type"] = r.u(1, "impression type")
        width, height = r.u(2, "line length x"), r.u(2, "line length y")
        size = r.u(4, "image data length")
        payload = _payload(r, size, start + length)
        if r.at < start + length:  # extended data blocks (segmentation, annotation, comments)
            r.skip(start + length - r.at, "extended data")
        fields["positions_in_record"] = positions
        out.append(
            _Raw(
                payload,
                width,
                height,
                "grey" if compression in (0, 1) and depth == 8 else None,
                _ppi(units, fields["image_resolution"][0]),
                position,
                fields,
            )
        )
    return out


def _face_2005(r: _Reader) -> list[_Raw]:
    r.length(4)
    n = _count(r.u(2, "number of facial images"), "number of facial images")
    out = []
    for _ in range(n):
        start = r.at
        block = r.u(4, "facial record data length")
        points = r.u(2, "number of feature points")
        fields: dict[str, Any] = {
            "gender": r.u(1, "gender"),
            "eye_colour": r.u(1, "eye colour"),
            "hair_colour": r.u(1, "hair colour"),
            "feature_mask": r.u(3, "feature mask"),
            "expression": r.u(2, "expression"),
            "pose_angle": list(r.take(3, "pose angle")),
            "pose_uncertainty": list(r.take(3, "pose uncertainty")),
        }
        fields["feature_points"] = [_feature_point(r, z=False) for _ in range(points)]
        fields["face_image_type"] = r.u(1, "face image type")
        fields["image_data_type"] = r.u(1, "image data type")
        width, height = r.u(2, "width"), r.u(2, "height")
        fields["colour_space"] = r.u(1, "colour space")
        fields["source_type"] = r.u(1, "source type")
        fields["device_type"] = r.u(2, "device type")
        fields["quality"] = r.u(2, "quality")
        size = start + block - r.at
        if size < 0:
            raise CorruptImageError("facial record data length shorter than its header")
        out.append(_Raw(_payload(r, size), width, height, None, None, None, fields))
    return out


def _feature_point(r: _Reader, *, z: bool) -> dict[str, int]:
    kind, code = r.u(1, "point type"), r.u(1, "point code")
    x, y = r.u(2, "point x"), r.u(2, "point y")
    extra = r.u(2, "point z" if z else "reserved")
    point = {"type": kind, "code": f"{code >> 4}.{code & 0x0F}", "x": x, "y": y}
    if z:
        point["z"] = extra
    return point


def _face_2011(r: _Reader) -> list[_Raw]:
    r.length(4)
    n = _count(r.u(2, "number of representations"), "number of representations")
    r.skip(1, "certification flag")
    temporal = r.u(2, "temporal semantics")
    out = []
    for _ in range(n):
        start = r.at
        length = r.u(4, "representation length")
        fields = _capture_info(r)
        fields["quality_blocks"] = _quality_blocks(r)
        points = r.u(2, "number of landmark points")
        fields |= {
            "gender": r.u(1, "gender"),
            "eye_colour": r.u(1, "eye colour"),
            "hair_colour": r.u(1, "hair colour"),
            "subject_height": r.u(1, "subject height"),
            "property_mask": r.u(3, "property mask"),
            "expression": r.u(2, "expression"),
            "pose_angle": list(r.take(3, "pose angle")),
            "pose_uncertainty": list(r.take(3, "pose uncertainty")),
        }
        fields["landmarks"] = [_feature_point(r, z=True) for _ in range(points)]
        fields["face_image_type"] = r.u(1, "face image type")
        fields["image_data_type"] = r.u(1, "image data type")
        width, height = r.u(2, "width"), r.u(2, "height")
        fields["spatial_sampling_rate"] = r.u(1, "spatial sampling rate level")
        fields["post_acquisition"] = r.u(2, "post-acquisition processing")
        fields["cross_reference"] = r.u(1, "cross reference")
        fields["colour_space"] = r.u(1, "colour space")
        size = r.u(4, "image data length")
        payload = _payload(r, size, start + length)
        if r.at < start + length:  # 3D information and data
            r.skip(start + length - r.at, "3D data")
        fields["temporal_semantics"] = temporal
        out.append(_Raw(payload, width, height, None, None, None, fields))
    return out


def _iris_raw_kind(image_format: int) -> str | None:
    return {2: "grey", 4: "rgb"}.get(image_format)


def _iris_2005(r: _Reader) -> list[_Raw]:
    r.length(4)
    device = r.u(2, "capture device id")
    eyes = _count(r.u(1, "number of eyes"), "number of eyes")
    header_length = r.u(2, "record header length")
    properties = r.u(2, "image property bit field")
    diameter = r.u(2, "iris diameter")
    image_format = r.u(2, "image format")
    width, height = r.u(2, "raw width"), r.u(2, "raw height")
    depth = r.u(1, "intensity depth")
    transformation = r.u(1, "image transformation")
    if header_length < r.at or header_length > len(r.data):
        raise CorruptImageError(f"record header length {header_length} is impossible")
    r.skip(header_length - r.at, "device unique id")
    common = {
        "capture_device_id": device,
        "image_properties": properties,
        "iris_diameter": diameter,
        "image_format": image_format,
        "bit_depth": depth,
        "image_transformation": transformation,
    }
    out = []
    for _ in range(eyes):
        eye = r.u(1, "feature identifier")
        n = _count(r.u(2, "number of images"), "number of images")
        for _ in range(n):
            fields = dict(common)
            fields["image_number"] = r.u(2, "image number")
            fields["quality"] = r.u(1, "image quality")
            fields["rotation_angle"] = r.u(2, "rotation angle")
            fields["rotation_uncertainty"] = r.u(2, "rotation uncertainty")
            size = r.u(4, "image length")
            raw_kind = _iris_raw_kind(image_format) if depth == 8 else None
            out.append(
                _Raw(_payload(r, size), width, height, raw_kind, None, _EYE.get(eye), fields)
            )
    return out


def _iris_2011(r: _Reader) -> list[_Raw]:
    r.length(4)
    n = _count(r.u(2, "number of representations"), "number of representations")
    certified = r.u(1, "certification flag")
    eyes = r.u(1, "number of eyes represented")
    out = []
    for _ in range(n):
        start = r.at
        length = r.u(4, "representation length")
        fields = _capture_info(r)
        fields["quality_blocks"] = _quality_blocks(r)
        if certified:  # MOSIP never sets it; 19794-6:2011 puts the blocks here
            count = r.u(1, "certification blocks")
            r.skip(3 * count, "certification blocks")
        fields["representation"] = r.u(2, "representation number")
        eye = r.u(1, "eye label")
        fields["image_type"] = r.u(1, "image type")
        image_format = fields["image_format"] = r.u(1, "image format")
        fields["image_properties"] = r.u(1, "image property bit field")
        width, height = r.u(2, "width"), r.u(2, "height")
        depth = fields["bit_depth"] = r.u(1, "bit depth")
        fields["range"] = r.u(2, "range")
        fields["roll_angle"] = r.u(2, "roll angle")
        fields["roll_uncertainty"] = r.u(2, "roll angle uncertainty")
        fields["iris_centre_x"] = [r.u(2, "centre x min"), r.u(2, "centre x max")]
        fields["iris_centre_y"] = [r.u(2, "centre y min"), r.u(2, "centre y max")]
        fields["iris_diameter"] = [r.u(2, "diameter min"), r.u(2, "diameter max")]
        size = r.u(4, "image length")
        payload = _payload(r, size, start + length)
        if r.at < start + length:
            r.skip(start + length - r.at, "representation padding")
        fields["eyes_in_record"] = eyes
        raw_kind = _iris_raw_kind(image_format) if depth == 8 else None
        out.append(_Raw(payload, width, height, raw_kind, None, _EYE.get(eye), fields))
    return out


_PARSERS = {
    ("finger", 2005): _finger_2005,
    ("finger", 2011): _finger_2011,
    ("face", 2005): _face_2005,
    ("face", 2011): _face_2011,
    ("iris", 2005): _iris_2005,
    ("iris", 2011): _iris_2011,
}


def _capture(modality: str, img: _Raw, record: dict[str, Any], index: int) -> Capture:
    """Decode one embedded image; the record's ppi, position and fields go on the Capture."""
    source = f"ISO19794-{record['part']}:{record['edition']}#{index}"
    if not img.payload:
        raise CorruptImageError(f"{source}: empty image data", index=index)
    ppi = img.ppi if img.ppi is not None and 0 < img.ppi <= 10_000 else None
    if img.raw == "rgb" and len(img.payload) == img.width * img.height * 3:
        check_dimensions(img.width, img.height, DEFAULT_LIMITS)
        pixels = np.frombuffer(img.payload, np.uint8).reshape(img.height, img.width, 3).copy()
        cap = Capture(pixels, Modality(modality), None, "assumed", source, "RAW")
    elif img.raw == "grey" and img.width > 0 and img.height > 0:
        cap = decode(
            img.payload,
            source=source,
            ppi=ppi,
            width=img.width,
            height=img.height,
            modality=modality,
        )
    else:
        if img.raw is None and sniff_container(img.payload) is None:
            raise UnsupportedFormatError(
                f"{source}: embedded image is not WSQ, JPEG, JPEG 2000, PNG or raw",
                index=index,
            )
        cap = decode(img.payload, source=source, ppi=ppi, modality=modality)
    if img.width and img.height and (cap.width, cap.height) != (img.width, img.height):
        # the record and its image disagree; the decoded pixels are what gets assessed
        img.fields["declared_size"] = [img.width, img.height]
    meta = {**cap.meta, "iso19794": {**record, "index": index, **img.fields}}
    return dataclasses.replace(cap, position=img.position, meta=meta)


# --------------------------------------------------------------------------------- writing


@dataclass(frozen=True, slots=True)
class RecordImage:
    """One image to put in a record by :func:`build`.

    ``data`` is an encoded image (WSQ, JPEG, JPEG 2000, PNG) or a raw 8-bit grey frame of
    ``width * height`` bytes. ``position`` is the finger position (0-10) or the eye.
    """

    data: bytes
    width: int
    height: int
    position: int | str | None = None
    ppi: int = 500
    quality: int = 255


_FINGER_COMPRESSION = {
    2005: {"RAW": 0, "WSQ": 2, "JPEG": 3, "JPEG2000": 4, "PNG": 5},
    2011: {"RAW": 0, "WSQ": 2, "JPEG": 3, "JPEG2000": 5, "PNG": 6},
}
_FACE_DATA_TYPE = {2005: {"JPEG": 0, "JPEG2000": 1}, 2011: {"JPEG": 0, "JPEG2000": 2, "PNG": 3}}
_IRIS_FORMAT = {"RAW": 2, "JPEG": 6, "JPEG2000": 14, "PNG": 32}


def _kind(img: RecordImage, codes: dict[str, int] | None = None) -> str:
    fmt = sniff_container(img.data)
    if fmt is None and len(img.data) == img.width * img.height:
        fmt = "RAW"
    if fmt is None or (codes is not None and fmt not in codes):
        raise UnsupportedFormatError(f"a 19794 record cannot carry {fmt or 'these bytes'}")
    return fmt


def build(modality: str, images: Sequence[RecordImage], *, edition: int = 2011) -> bytes:
    """An ISO/IEC 19794-4/-5/-6 record holding ``images`` (the inverse of :func:`parse`)."""
    if modality not in _PART or edition not in (2005, 2011):
        raise UnsupportedFormatError(f"cannot write {modality!r} {edition}")
    if modality == "iris" and edition == 2005:
        return _iris_2005_record(images)
    body = b"".join(_WRITERS[(modality, edition)](img, i) for i, img in enumerate(images))
    magic = next(k for k, v in _MAGIC.items() if v == modality)
    version = _VERSION[modality][edition]
    n = len(images)
    if modality == "finger" and edition == 2005:
        fmt = _kind(images[0], _FINGER_COMPRESSION[2005]) if images else "RAW"
        comp = _FINGER_COMPRESSION[2005][fmt]
        ppi = images[0].ppi if images else 500
        size = 32 + len(body)
        head = magic + version + size.to_bytes(6, "big")
        head += struct.pack(">HHBBHHHHBBH", 0, 31, n, 1, ppi, ppi, ppi, ppi, 8, comp, 0)
        return head + body
    if modality == "finger":
        tail = struct.pack(">HBB", n, 0, len({img.position for img in images}))
    elif modality == "face" and edition == 2005:
        tail = struct.pack(">H", n)
    elif modality == "face":
        tail = struct.pack(">HBH", n, 0, 0)
    else:
        tail = struct.pack(">HBB", n, 0, len({img.position for img in images}))
    return magic + version + (12 + len(tail) + len(body)).to_bytes(4, "big") + tail + body


_DATE = struct.pack(">HBBBBBH", 2024, 1, 2, 3, 4, 5, 6)


def _w_finger_2005(img: RecordImage, _: int) -> bytes:
    pos = int(img.position or 0)
    head = struct.pack(
        ">IBBBBBHHB", 14 + len(img.data), pos, 1, 1, 100, 0, img.width, img.height, 0
    )
    return head + img.data


def _w_finger_2011(img: RecordImage, i: int) -> bytes:
    comp = _FINGER_COMPRESSION[2011][_kind(img, _FINGER_COMPRESSION[2011])]
    quality = b"" if img.quality == 255 else struct.pack(">BHH", img.quality, 0x0F, 0x01)
    head = _DATE + struct.pack(">BHH", 0, 0, 0) + struct.pack(">B", len(quality) // 5) + quality
    head += struct.pack(">BBB", int(img.position or 0), i, 1)
    head += struct.pack(">HHHH", img.ppi, img.ppi, img.ppi, img.ppi)
    head += struct.pack(">BBBHHI", 8, comp, 0, img.width, img.height, len(img.data))
    return struct.pack(">I", 4 + len(head) + len(img.data)) + head + img.data


def _w_face_2005(img: RecordImage, _: int) -> bytes:
    dtype = _FACE_DATA_TYPE[2005].get(_kind(img), 0)
    info = struct.pack(">HBBBBBBHBBBBBB", 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    image = struct.pack(">BBHHBBHH", 1, dtype, img.width, img.height, 1, 2, 0, 0)
    return struct.pack(">I", 4 + len(info) + len(image) + len(img.data)) + info + image + img.data


def _w_face_2011(img: RecordImage, _: int) -> bytes:
    dtype = _FACE_DATA_TYPE[2011].get(_kind(img), 0)
    head = _DATE + struct.pack(">BHHB", 0, 0, 0, 0)
    info = struct.pack(">HBBBB", 0, 0, 0, 0, 0) + bytes(3) + bytes(2) + bytes(6)
    image = struct.pack(">BBHHBHBB", 1, dtype, img.width, img.height, 0, 0, 0, 1)
    rest = head + info + image + struct.pack(">I", len(img.data)) + img.data
    return struct.pack(">I", 4 + len(rest)) + rest


def _w_iris_2011(img: RecordImage, i: int) -> bytes:
    fmt = _IRIS_FORMAT[_kind(img, _IRIS_FORMAT)]
    head = _DATE + struct.pack(">BHHB", 0, 0, 0, 0) + struct.pack(">H", i)
    eye = _EYE_CODE.get(img.position, 0)  # type: ignore[arg-type]
    head += struct.pack(">BBBBHHB", eye, 2, fmt, 0, img.width, img.height, 8)
    head += bytes(2 * 9)  # range, roll, roll uncertainty, centre x/y min/max, diameter min/max
    rest = head + struct.pack(">I", len(img.data)) + img.data
    return struct.pack(">I", 4 + len(rest)) + rest


def _iris_2005_record(images: Sequence[RecordImage]) -> bytes:
    """2005 iris: one header (format and size shared by all images), images grouped by eye."""
    first = images[0]
    fmt = _IRIS_FORMAT[_kind(first, _IRIS_FORMAT)]
    eyes: dict[int, list[RecordImage]] = {}
    for img in images:
        eyes.setdefault(_EYE_CODE.get(img.position, 0), []).append(img)  # type: ignore[arg-type]
    body = b""
    number = 0
    for eye, imgs in eyes.items():
        body += struct.pack(">BH", eye, len(imgs))
        for img in imgs:
            number += 1
            body += struct.pack(">HBHHI", number, img.quality % 256, 0, 0, len(img.data))
            body += img.data
    head_rest = struct.pack(
        ">HBHHHHHHBB", 0, len(eyes), 45, 0, 0, fmt, first.width, first.height, 8, 0
    )
    head_rest += bytes(16)  # device unique identifier
    size = 12 + len(head_rest) + len(body)
    return b"IIR\x00" + _VERSION["iris"][2005] + size.to_bytes(4, "big") + head_rest + body


_WRITERS = {
    ("finger", 2005): _w_finger_2005,
    ("finger", 2011): _w_finger_2011,
    ("face", 2005): _w_face_2005,
    ("face", 2011): _w_face_2011,
    ("iris", 2011): _w_iris_2011,
}

__all__ = ["MAX_IMAGES", "RecordImage", "build", "parse", "sniff"]
