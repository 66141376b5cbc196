"""Container detection by magic bytes: extensions lie, and the bytes decide which decoder runs."""

from __future__ import annotations

# Order matters only where prefixes could overlap; none of these do.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"\xff\xa0", "WSQ"),  # WSQ start-of-image marker (FBI WSQ spec)
    (b"\x00\x00\x00\x0cjP  \r\n\x87\n", "JPEG2000"),  # JP2 signature box
    (b"\xff\x4f\xff\x51", "JPEG2000"),  # raw J2K codestream: SOC + SIZ
    (b"BM", "BMP"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
)
_PNM = {b"P2": "PGM", b"P5": "PGM", b"P3": "PPM", b"P6": "PPM"}

SUPPORTED_FORMATS: tuple[str, ...] = (
    "PNG",
    "JPEG",
    "BMP",
    "TIFF",
    "PGM",
    "PPM",
    "WSQ",
    "JPEG2000",
    "WEBP",
    "GIF",
    "RAW",
)

# The Pillow plugin behind each container; decoding is restricted to it, so hostile bytes can
# never reach a plugin we did not choose (e.g. EPS, which shells out to Ghostscript).
PILLOW_FORMAT: dict[str, str] = {
    "PNG": "PNG",
    "JPEG": "JPEG",
    "BMP": "BMP",
    "TIFF": "TIFF",
    "PGM": "PPM",
    "PPM": "PPM",
    "WSQ": "WSQ",
    "JPEG2000": "JPEG2000",
    "WEBP": "WEBP",
    "GIF": "GIF",
}


def sniff(data: bytes) -> str | None:
    """Container name from the leading bytes, or ``None`` when no supported format matches."""
    for magic, name in _MAGIC:
        if data.startswith(magic):
            return name
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":  # RIFF size, then the WebP form type
        return "WEBP"
    if len(data) > 2 and data[2:3].isspace():
        return _PNM.get(bytes(data[:2]))
    return None
