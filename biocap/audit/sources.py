"""What an audit scores: source files under folders, in file lists, in manifests, or named.

The unit of work is one *source file*: an image file gives one row, a container (ANSI/NIST-ITL
transaction, ISO/IEC 19794-4/-5/-6 record) gives one row per image record in it. Containers are
opened only by the worker that scores them (decode once; the driver never reads image bytes).
Everything here is a generator: a folder is walked one directory at a time and a list or
manifest read one line (or Parquet batch) at a time, so scoring starts at once and the driver's
memory does not grow with the number of files. Repeats are dropped later, on disk
(:meth:`biocap.audit.index.DoneIndex.new_items`).

Rules (README "Audit"):

- a folder is recursed (sorted, hidden entries skipped, symlinked folders followed once); it
  yields image files (``biocap score``'s extensions), NIST files (:data:`NIST_SUFFIXES`) and
  ISO records (:data:`ISO_SUFFIXES`);
- a file named ``*.txt`` / ``*.lst`` / ``*.list`` is a file list: one path per line (relative to
  the list's folder; ``#`` comments and blank lines ignored);
- any other file named directly is scored whatever its extension (kind sniffed from its bytes);
- a *manifest* (``--manifest``: CSV, TSV or Parquet) has a ``path`` column (relative to the
  manifest's folder) and optional :data:`FIELDS` columns (``subject``, ``position``,
  ``station``, ...); other columns are ignored, empty cells are missing values.

Subject, station, operator, day, position and attempt come from record fields (NIST Type-1/14/
10/17, ISO headers) or from ``--pattern``: a path template such as
``{station}/{subject}/{position}_{attempt}.png`` matched against the *end* of the file's path.
``{name}`` matches one path component or part of it (no ``/``), ``*`` matches anything within a
component, everything else is literal. Manifest values win over pattern values, and both over
record fields.
"""

from __future__ import annotations

import csv
import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

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
MANIFEST_SUFFIXES = frozenset({".csv", ".tsv", ".parquet", ".pq"})

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
    fields: tuple[tuple[str, str], ...] = ()  # from a manifest row: (field, value) pairs


def kind_of(path: Path | str) -> str:
    suffix = os.path.splitext(path)[1].lower()
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in NIST_SUFFIXES:
        return "nist"
    if suffix in ISO_SUFFIXES:
        return "iso"
    return "unknown"


def _walk(folder: Path, seen: set[str] | None = None) -> Iterator[Path]:
    """Files under ``folder``, depth first in name order, one directory listed at a time;
    symlinked folders are followed (archives are often assembled from links) but never into a
    loop; hidden files and folders are skipped."""
    seen = set() if seen is None else seen
    real = os.path.realpath(folder)
    if real in seen:
        return
    seen.add(real)
    try:
        with os.scandir(folder) as it:
            entries = sorted((e for e in it if not e.name.startswith(".")), key=lambda e: e.name)
    except OSError:
        return  # unreadable folder: nothing to enumerate (os.walk's behaviour)
    for e in entries:
        if e.is_dir():
            yield from _walk(Path(e.path), seen)
        elif e.is_file() and kind_of(Path(e.name)) != "unknown":
            yield Path(e.path)


def _list_file(path: Path) -> Iterator[Path]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                p = Path(line)
                yield p if p.is_absolute() else path.parent / p


def _cell(value: Any) -> str | None:
    """A manifest cell as text: ``None`` for empty/NaN, ``3`` (not ``3.0``) for whole floats."""
    if type(value) is str:  # the common case first: a manifest has millions of cells
        return value.strip() or None
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:
            return None
        if value.is_integer():
            value = int(value)
    text = str(value).strip()
    return text or None


def _manifest_rows(path: Path) -> tuple[list[str], Iterator[Sequence[Any]]]:
    """Column names and rows (as sequences, in column order) of a CSV/TSV manifest (streamed
    by the csv module) or a Parquet one (read batch by batch, only the columns used)."""
    if path.suffix.lower() in (".parquet", ".pq"):
        import pyarrow.parquet as pq

        pf = pq.ParquetFile(path)
        wanted = [c for c in pf.schema_arrow.names if c.strip().lower() in ("path", *FIELDS)]

        def batches() -> Iterator[Sequence[Any]]:
            for batch in pf.iter_batches(batch_size=8192, columns=wanted):
                yield from zip(*(col.to_pylist() for col in batch.columns), strict=True)

        return wanted, batches()
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    fh = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(fh, delimiter=delimiter)
    header = next(reader, [])

    def rows() -> Iterator[Sequence[Any]]:
        with fh:
            yield from reader

    return header, rows()


def manifest_items(path: Path) -> Iterator[Item]:
    """One :class:`Item` per manifest row, its :data:`FIELDS` columns carried along. A row
    with an empty path becomes the item ``<manifest>#row<N>`` (an error row, not a gap)."""
    path = Path(path)
    header, rows = _manifest_rows(path)
    names = {str(k).strip().lower(): i for i, k in enumerate(header)}
    if "path" not in names:
        raise InvalidParameterError(
            f"manifest {path}: no 'path' column (columns: {header})", manifest=str(path)
        )
    col = names["path"]
    extra = [(k, names[k]) for k in FIELDS if k in names]
    base = os.path.dirname(os.path.abspath(path))
    n = 1  # line 1 is the header
    try:  # plain strings, no pathlib: it cost ~70 % of a resume's walk past a million done rows
        for n, row in enumerate(rows, start=2):
            width = len(row)  # a short CSV line lacks its last cells
            value = _cell(row[col]) if col < width else None
            if value is None:
                yield Item(f"{os.path.abspath(path)}#row{n}", "unknown")
                continue
            key = os.path.normpath(os.path.join(base, value))  # join keeps an absolute value
            fields = tuple(
                (k, v) for k, c in extra if c < width and (v := _cell(row[c])) is not None
            )
            yield Item(key, kind_of(value), fields)
    except (UnicodeDecodeError, csv.Error) as e:  # stop with a reason; committed rows stay
        raise InvalidParameterError(
            f"manifest {path}: unreadable after row {n}: {e}", manifest=str(path)
        ) from e


def count_items(sources: Iterable[str], manifests: Iterable[str] = ()) -> int:
    """How many items :func:`enumerate_items` yields, cheaply: folders and lists are walked,
    a manifest's rows are counted without building items (Parquet: from its footer)."""
    n = sum(1 for _ in enumerate_items(sources))
    for manifest in map(Path, manifests):
        if manifest.suffix.lower() in (".parquet", ".pq"):
            import pyarrow.parquet as pq

            n += pq.ParquetFile(manifest).metadata.num_rows
        else:
            n += sum(1 for _ in _manifest_rows(manifest)[1])
    return n


def check_manifest(path: Path) -> None:
    """Raise :class:`InvalidParameterError` now (not mid-run) for a manifest without ``path``."""
    path = Path(path)
    if path.suffix.lower() not in MANIFEST_SUFFIXES:
        raise InvalidParameterError(
            f"--manifest {path}: expected {sorted(MANIFEST_SUFFIXES)}", manifest=str(path)
        )
    if not path.is_file():
        raise InvalidParameterError(f"--manifest {path}: no such file", manifest=str(path))
    items = manifest_items(path)
    try:
        next(items, None)
    except (OSError, ValueError, csv.Error) as e:  # not text, not Parquet, a broken file
        raise InvalidParameterError(f"--manifest {path}: {e}", manifest=str(path)) from e
    finally:
        items.close()


def enumerate_items(sources: Iterable[str], manifests: Iterable[str] = ()) -> Iterator[Item]:
    """Every source file under ``sources``, then every manifest row, in a stable order, as they
    are found (a file named twice is yielded twice; the done-index drops the repeat)."""
    for src in map(Path, sources):
        if src.is_dir():
            files: Iterable[Path] = _walk(src)
        elif src.suffix.lower() in LIST_SUFFIXES and src.is_file():
            files = _list_file(src)
        else:
            files = (src,)  # a missing file becomes an error row, not a crash
        for f in files:
            yield Item(os.path.abspath(f), kind_of(f))
    for manifest in manifests:
        yield from manifest_items(Path(manifest))


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
