"""ANSI/NIST-ITL transactions -> one capture per image record (read with the ``nistitl`` package).

Record types read (ANSI/NIST-ITL 1-2011 Update 2015 field numbers):

- Type-14 variable-resolution fingerprint, Type-13 latent/plain, Type-4 legacy binary
  fingerprint -> ``finger``; position from FGP (14.013 / 13.013 / byte 6 of Type-4);
- Type-10 facial image (IMT 10.003 ``FACE``; other IMT values are not faces and are skipped)
  -> ``face``;
- Type-17 iris -> ``iris``; position from FID (17.003: 0 undefined, 1 right, 2 left eye).

Image data (field .999) is decoded by :func:`biocap.io.decode` (WSQ, JPEG, JPEG 2000, PNG by
magic bytes; ``NONE``/raw 8-bit frames with HLL x VLL). Resolution comes from SLC/THPS (scale 1:
ppi, 2: pixels per cm). Subject = TCN (1.009), station = ORI (1.008), day = the record's capture
date (14.005 FCD / 10.005 PHD / 17.005 ICD) or else the transaction date DAT (1.005).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any

from biocap.capture import Capture
from biocap.errors import BiocapError, CorruptImageError
from biocap.io import decode

FINGER_TYPES = frozenset({4, 13, 14})
IMAGE_TYPES = FINGER_TYPES | {10, 17}
_EYE = {"0": None, "1": "right", "2": "left"}
_CAPTURE_DATE_TAG = {13: 5, 14: 5, 10: 5, 17: 5}


class NistRecordError(CorruptImageError):
    """The transaction itself cannot be parsed (no record in it can be scored)."""

    code = "corrupt_record"


@dataclass(slots=True)
class Entry:
    """One image record of a container: its index among the image records, and either the
    decoded capture or the error that stopped it, plus the fields read for grouping."""

    index: int
    modality: str
    capture: Capture | None = None
    error: BiocapError | None = None
    meta: dict[str, Any] = field(default_factory=dict)


def _text(rec: Any, tag: int) -> str | None:
    """A field's first value as text (first subfield, first item), ``None`` when absent."""
    f = rec[tag]
    if f is None:
        return None
    v = f.value
    while isinstance(v, list):
        if not v:
            return None
        v = v[0]
    v = str(v).strip()
    return v or None


def _ppi(rec: Any) -> float | None:
    slc, thps = _text(rec, 8), _text(rec, 9)
    try:
        scale, value = int(slc or 0), float(thps or 0)
    except ValueError:
        return None
    if value <= 0:
        return None
    return {1: value, 2: value * 2.54}.get(scale)


def _int(text: str | None) -> int | None:
    try:
        return None if text is None else int(text)
    except ValueError:
        return None


def _date(text: str | None) -> str | None:
    if text and len(text) >= 8 and text[:8].isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:8]}"
    return None


def _ascii_entry(rec: Any, index: int, source: str, tx: dict[str, Any]) -> Entry | None:
    rtype = rec.type
    if rtype == 10 and (_text(rec, 3) or "FACE").upper() != "FACE":
        return None  # SMT (scars, marks, tattoos) images are not faces
    modality = "finger" if rtype in FINGER_TYPES else {10: "face", 17: "iris"}[rtype]
    meta = dict(tx)
    if rtype in FINGER_TYPES:
        meta["position"] = _int(_text(rec, 13))
    elif rtype == 17:
        meta["position"] = _EYE.get(_text(rec, 3) or "0")
    meta["day"] = _date(_text(rec, _CAPTURE_DATE_TAG[rtype])) or tx.get("day")
    entry = Entry(index, modality, meta=meta)
    data_field = rec[999]
    data = data_field.value if data_field is not None else b""
    try:
        entry.capture = decode(
            bytes(data),
            source=f"{source}#{index}",
            ppi=_ppi(rec),
            width=_int(_text(rec, 6)),
            height=_int(_text(rec, 7)),
            modality=modality,
            position=meta.get("position"),
        )
    except BiocapError as e:
        entry.error = e
    return entry


def _type4_entry(rec: Any, index: int, source: str, tx: dict[str, Any]) -> Entry:
    """Type-4 (binary, 500 ppi): IMP(1) FGP(6) ISR(1) HLL(2) VLL(2) GCA(1), then the image."""
    meta = dict(tx)
    entry = Entry(index, "finger", meta=meta)
    body = bytes(rec.value)
    if len(body) < 13:
        entry.error = NistRecordError("Type-4 record shorter than its 18-byte header")
        return entry
    fgp = body[1]
    width, height = struct.unpack("!HH", body[8:12])
    meta["position"] = None if fgp == 255 else fgp
    try:
        entry.capture = decode(
            body[13:],
            source=f"{source}#{index}",
            ppi=500.0,
            width=width,
            height=height,
            modality="finger",
            position=meta["position"],
        )
    except BiocapError as e:
        entry.error = e
    return entry


def read_transaction(data: bytes, source: str = "") -> list[Entry]:
    """Every image record of a transaction, in file order; a record that does not decode gives
    an entry with ``error`` (the others are still scored). Raises :class:`NistRecordError`
    when the transaction cannot be parsed at all."""
    import nistitl

    msg = nistitl.Message()
    try:
        msg.parse(bytes(data))
    except Exception as e:  # nistitl raises NistException, but also IndexError/ValueError
        raise NistRecordError(f"not a readable ANSI/NIST-ITL transaction: {e}") from e
    t1 = msg[0]
    tx = {
        "subject": _text(t1, 9),
        "station": _text(t1, 8),
        "day": _date(_text(t1, 5)),
    }
    entries: list[Entry] = []
    for rec in list(msg)[1:]:
        if rec.type not in IMAGE_TYPES:
            continue
        index = len(entries)
        if rec.type == 4:
            entries.append(_type4_entry(rec, index, source, tx))
        elif (e := _ascii_entry(rec, index, source, tx)) is not None:
            entries.append(e)
    return entries


def looks_like_nist(data: bytes) -> bool:
    """A transaction starts with the Type-1 LEN field: ``1.001:``."""
    return data[:6] == b"1.001:" or data[:7] == b"1.01:"
