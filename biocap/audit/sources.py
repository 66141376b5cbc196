"""What an audit scores: source files found under folders, in file lists, or named directly.

The unit of work is one *source file*: an image file gives one row, a container (ANSI/NIST-ITL
transaction, ISO/IEC 19794-4/-5/-6 record) gives one row per image record in it. Containers are
opened only by the worker that scores them (decode once; the driver never reads image bytes), so
enumerating a million files costs one directory walk.

Rules (README "Audit"):

- a folder is recursed (sorted, hidden entries skipped, symlinked folders followed once); it
  yields image files (``biocap score``'s extensions), NIST files (:data:`NIST_SUFFIXES`) and
  ISO records (:data:`ISO_SUFFIXES`);
- a file named ``*.txt`` / ``*.lst`` / ``*.list`` is a file list: one path per line (relative to
  the list's folder; ``#`` comments and blank lines ignored);
- any other file named directly is scored whatever its extension (kind sniffed from its bytes).

Subject, station, operator, day, position and attempt come from record fields (NIST Type-1/14/
10/17, ISO headers) or from ``--pattern``: a path template such as
``{station}/{subject}/{position}_{attempt}.png`` matched against the *end* of the file's path.
``{name}`` matches one path component or part of it (no ``/``), ``*`` matches anything within a
component, everything else is literal. Pattern values win over record fields.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from biocap.errors import InvalidParameterError

IMAGE_SUFFIXES = frozenset(
    {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".pgm", ".ppm", ".pnm"}
    | {".wsq", ".jp2", ".j2k", ".j2c", ".jpx", ".webp", ".gif"}
)
#: ANSI/NIST-ITL transaction files (EFT is the FBI's EBTS name for the same format).
NIST_SUFFIXES = frozenset({".an2", ".an2k", ".nist", ".eft", ".ebts", ".int"})
#: ISO/IEC 19794-4 (finger image), -5 (face image), -6 (iris image) records.
ISO_SUFFIXES = frozenset({".fir", ".iso", ".fac", ".iir", ".bdb", ".cbeff"})
LIST_SUFFIXES = frozenset({".txt", ".lst", ".list"})

#: the fields a pattern may name; everything an audit groups by.
FIELDS = ("subject", "station", "operator", "day", "position", "attempt", "modality")
#: folder names that set the modality of plain images in ``--modality auto``.
MODALITY_FOLDERS = {
    "finger": "finger",
    "fingers": "finger",
    "fingerprint": "finger",
    "fingerprints": "finger",
    "face": "face",
    "faces": "face",
    "portrait": "face",
    "portraits": "face",
    "iris": "iris",
    "irises": "iris",
    "irides": "iris",
    "eye": "iris",
    "eyes": "iris",
}
#: modality of a plain image whose path names none (the fingerprint core came first).
DEFAULT_MODALITY = "finger"


@dataclass(frozen=True, slots=True)
class Item:
    """One source file to score: its path (the key of exactly-once bookkeeping) and kind."""

    path: str
    kind: str  # "image" | "nist" | "iso" | "unknown" (sniffed by the worker)


def kind_of(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in NIST_SUFFIXES:
        return "nist"
    if suffix in ISO_SUFFIXES:
        return "iso"
    return "unknown"


def _walk(folder: Path) -> Iterator[Path]:
    """Files under ``folder`` in sorted path order, following symlinked folders (archives are
    often assembled from links) but never into a loop; hidden files and folders are skipped."""
    seen: set[str] = set()
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            f = Path(dirpath) / name
            if not name.startswith(".") and kind_of(f) != "unknown" and f.is_file():
                found.append(f)
    yield from sorted(found)


def _list_file(path: Path) -> Iterator[Path]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                p = Path(line)
                yield p if p.is_absolute() else path.parent / p


def enumerate_items(sources: Iterable[str]) -> Iterator[Item]:
    """Every source file under ``sources`` once, in a stable order (first mention wins)."""
    seen: set[str] = set()
    for src in map(Path, sources):
        if src.is_dir():
            files: Iterable[Path] = _walk(src)
        elif src.suffix.lower() in LIST_SUFFIXES and src.is_file():
            files = _list_file(src)
        else:
            files = (src,)  # a missing file becomes an error row, not a crash
        for f in files:
            key = os.path.abspath(f)
            if key not in seen:
                seen.add(key)
                yield Item(key, kind_of(f))


class PathPattern:
    """``{station}/{subject}/{position}_{attempt}.png`` -> fields, matched at the path's end."""

    _TOKEN = re.compile(r"\{(\w+)\}|\*")

    def __init__(self, template: str) -> None:
        self.template = template
        parts, pos, names = [], 0, []
        for m in self._TOKEN.finditer(template):
            parts.append(re.escape(template[pos : m.start()]))
            name = m.group(1)
            if name is None:
                parts.append(r"[^/]*")
            else:
                if name not in FIELDS:
                    raise InvalidParameterError(
                        f"--pattern {template!r}: unknown field {{{name}}}; use {list(FIELDS)}"
                    )
                if name in names:
                    raise InvalidParameterError(f"--pattern {template!r}: {{{name}}} twice")
                names.append(name)
                parts.append(rf"(?P<{name}>[^/]+?)")
            pos = m.end()
        parts.append(re.escape(template[pos:]))
        self.regex = re.compile(r"(?:^|/)" + "".join(parts) + r"$")

    def match(self, path: str) -> dict[str, str]:
        """Fields found in ``path`` (``/`` separated); empty when the path does not match."""
        m = self.regex.search(path.replace("\\", "/"))
        return {k: v for k, v in m.groupdict().items() if v} if m else {}


def modality_from_path(path: str) -> str | None:
    """The nearest folder (or the file stem) named after a modality, e.g. ``.../faces/x.jpg``."""
    parts = path.replace("\\", "/").split("/")
    stem = Path(parts[-1]).stem.lower()
    for part in reversed([*parts[:-1], stem]):
        hit = MODALITY_FOLDERS.get(part.lower())
        if hit:
            return hit
    return None
