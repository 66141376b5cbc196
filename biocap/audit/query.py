"""DuckDB over a results folder: every committed part as one table named ``audit``.

Parts differ in their ``m_*``/``q_*`` measure columns (per modality), so they are read with
``union_by_name``. From Python or the DuckDB shell the same view is one line::

    CREATE VIEW audit AS
      SELECT * FROM read_parquet('OUT/parts/part-*.parquet', union_by_name = true);
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from biocap.audit.store import iter_parts, parts_glob
from biocap.errors import BiocapError

#: DuckDB's buffer memory and threads for the derived outputs written at the end of a run (sorts
#: spill to a temp folder beyond it), so the reports over a million rows keep the audit driver
#: small. Measured at 1M rows: a 64 MB limit on one thread grows the process by ~190 MB; two
#: threads need more pinned blocks than 64-96 MB give a sort of wide rows; 256 MB took ~380 MB.
LEAN_MEMORY = os.environ.get("BIOCAP_DUCKDB_MEMORY", "64MB")
LEAN_THREADS = 1
#: rows fetched at a time when a derived file is streamed out.
FETCH_ROWS = 10_000


class NoResultsError(BiocapError):
    code = "no_results"


@functools.cache
def _spill_dir() -> str:
    """This process's DuckDB spill folder (DuckDB's default is ``.tmp`` in the working folder,
    which may not be writable), removed when the process exits."""
    path = tempfile.mkdtemp(prefix="biocap-duckdb-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def connect(out: Path, *, lean: bool = False):  # -> duckdb.DuckDBPyConnection
    """An in-memory DuckDB connection with the view ``audit`` over ``out``'s parts; ``lean``
    caps its memory and threads (:data:`LEAN_MEMORY`) for the audit's own reports."""
    import duckdb

    if next(iter_parts(out), None) is None:
        raise NoResultsError(f"no committed results under {Path(out) / 'parts'}")
    config: dict[str, object] = {"temp_directory": _spill_dir()}
    if lean:
        config.update(
            memory_limit=LEAN_MEMORY, threads=LEAN_THREADS, preserve_insertion_order=False
        )
    con = duckdb.connect(config=config)
    glob = parts_glob(out).replace("'", "''")
    con.execute(f"CREATE VIEW audit AS SELECT * FROM read_parquet('{glob}', union_by_name = true)")
    return con


def query(out: Path, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
    """Run ``sql`` (which may name ``audit``) and return (column names, rows)."""
    con = connect(out)
    try:
        cur = con.execute(sql)
        cols = [d[0] for d in cur.description] if cur.description else []
        return cols, cur.fetchall()
    finally:
        con.close()
