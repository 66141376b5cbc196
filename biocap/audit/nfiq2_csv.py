"""Fingerprint rows in the CSV layout of the NFIQ 2 command-line tool (``nfiq2 -f batch``).

Columns as NFIQ 2's ``printCSVHeader`` writes them (default output, no ``-a``/``-v``/``-s``)::

    "Filename",FingerCode,QualityScore,"OptionalError",Quantized,Resampled

- score rows: ``"name",<code>,<0-100>,,0,<0|1>``; error rows: ``"name",<code>,NA,"message",0,0``
  (NFIQ 2 quotes the name always and the error text on error rows; ``"`` inside becomes ``'``);
- ``FingerCode`` is the ISO/IEC 19794-4 finger position (0 = unknown);
- ``QualityScore`` is biocap's 0-100 quality (not an NFIQ 2 score: same scale and direction);
  a quality of 255 (could not be computed) is written as an error row with its reason;
- ``Quantized`` is always 0 (biocap does not requantise 8-bit grey); ``Resampled`` is 1 when the
  core resampled a print from a trusted resolution other than 500 ppi.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from biocap.audit.query import FETCH_ROWS, connect
from biocap.audit.store import atomic_text

HEADER = '"Filename",FingerCode,QualityScore,"OptionalError",Quantized,Resampled\n'

_SQL = """
SELECT id, position, quality, failure_reason, error_code, error_message, ppi, ppi_source
FROM audit WHERE modality = 'finger' OR (modality IS NULL AND kind <> 'image')
ORDER BY id
"""


def _clean(text: str) -> str:
    """NFIQ 2's sanitizeErrorMsg: non-printing characters to spaces, ``"`` to ``'``."""
    return "".join(c if c.isprintable() else " " for c in text).replace('"', "'")


def _finger_code(position: str | None) -> int:
    return int(position) if position is not None and position.isdigit() else 0


def lines(out: Path) -> Iterator[str]:
    """The CSV's lines, header first, fetched from DuckDB a chunk at a time."""
    con = connect(out, lean=True)
    try:
        cur = con.execute(_SQL)
        yield HEADER
        while chunk := cur.fetchmany(FETCH_ROWS):
            yield from map(_line, chunk)
    finally:
        con.close()


def _line(row: tuple) -> str:
    ident, position, quality, failure, err_code, err_msg, ppi, ppi_source = row
    name, code = _clean(ident), _finger_code(position)
    if quality is None or quality == 255:
        msg = err_msg or failure or err_code or "quality could not be computed"
        if err_code:
            msg = f"{err_code}: {msg}"
        return f'"{name}",{code},NA,"{_clean(msg)}",0,0\n'
    resampled = int(ppi is not None and ppi_source in ("caller", "file") and abs(ppi - 500.0) > 5.0)
    return f'"{name}",{code},{quality},,0,{resampled}\n'


def write(out: Path, path: Path | None = None) -> Path:
    path = path or Path(out) / "nfiq2.csv"
    with atomic_text(path) as fh:
        fh.writelines(lines(out))
    return path
