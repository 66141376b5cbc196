"""DuckDB over a results folder: every committed part as one table named ``audit``.

Parts differ in their ``m_*``/``q_*`` measure columns (per modality), so they are read with
``union_by_name``. From Python or the DuckDB shell the same view is one line::

    CREATE VIEW audit AS
      SELECT * FROM read_parquet('OUT/parts/part-*.parquet', union_by_name = true);
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from biocap.audit.store import iter_parts, parts_glob
from biocap.errors import BiocapError

#: DuckDB's working memory (it spills sorts and joins to its temp folder beyond this), so a
#: report over millions of rows keeps the audit driver small (``$BIOCAP_DUCKDB_MEMORY``).
MEMORY_LIMIT = os.environ.get("BIOCAP_DUCKDB_MEMORY", "256MB")
#: rows fetched at a time when a derived file is streamed out.
FETCH_ROWS = 10_000


class NoResultsError(BiocapError):
    code = "no_results"


def connect(out: Path):  # -> duckdb.DuckDBPyConnection
    """An in-memory DuckDB connection with the view ``audit`` over ``out``'s parts."""
    import duckdb

    if next(iter_parts(out), None) is None:
        raise NoResultsError(f"no committed results under {Path(out) / 'parts'}")
    con = duckdb.connect(config={"memory_limit": MEMORY_LIMIT, "preserve_insertion_order": False})
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
