"""Slap kinds and finger positions (ISO/IEC 19794-4 Table 2 = ANSI/NIST-ITL Table 8 codes).

A 4-4-2 ten-print capture takes three *plain* (flat) slap images: the right four fingers
(position 13), the left four (14) and both thumbs (15). A slap image is shown as an inked card
shows it, as if seen through the back of the hand: in a right slap the index is on the left and
the little finger on the right; in a left slap the little finger is on the left; in the thumbs
slap the left thumb is on the left.
"""

from __future__ import annotations

from enum import StrEnum


class SlapKind(StrEnum):
    RIGHT = "right"
    LEFT = "left"
    THUMBS = "thumbs"


#: the slap image's own position code
SLAP_POSITION: dict[SlapKind, int] = {SlapKind.RIGHT: 13, SlapKind.LEFT: 14, SlapKind.THUMBS: 15}
KIND_OF_POSITION: dict[int, SlapKind] = {v: k for k, v in SLAP_POSITION.items()}

#: finger positions left to right in the image
ORDER: dict[SlapKind, tuple[int, ...]] = {
    SlapKind.RIGHT: (2, 3, 4, 5),
    SlapKind.LEFT: (10, 9, 8, 7),
    SlapKind.THUMBS: (12, 11),
}

#: 1-10 rolled/unknown-impression positions, 11/12 plain thumbs (the codes a thumbs slap gives)
NAMES: dict[int, str] = {
    1: "right thumb",
    2: "right index",
    3: "right middle",
    4: "right ring",
    5: "right little",
    6: "left thumb",
    7: "left index",
    8: "left middle",
    9: "left ring",
    10: "left little",
    11: "right thumb",
    12: "left thumb",
}

#: the same finger under its plain-thumb and rolled codes (11 = 1, 12 = 6)
SAME_FINGER = {11: 1, 12: 6}


def finger_id(position: int) -> int:
    """The finger a position names, whatever the impression (plain thumb 11 -> 1, 12 -> 6)."""
    return SAME_FINGER.get(position, position)


def kind_of(value: str | int | None) -> SlapKind | None:
    """``right``/``left``/``thumbs`` (or 13/14/15) -> :class:`SlapKind`; ``None`` otherwise."""
    if value is None:
        return None
    text = str(value).strip().lower()
    if text.isdigit():
        return KIND_OF_POSITION.get(int(text))
    aliases = {"r": "right", "l": "left", "t": "thumbs", "thumb": "thumbs", "both": "thumbs"}
    text = aliases.get(text, text)
    return SlapKind(text) if text in SlapKind.__members__.values() else None
