"""Who must come back: subjects with a finger/face/eye that has no accepted capture.

A (subject, modality, position) needs recapture when none of its captures was accepted under the
profile (the ``decision`` column, computed by ``biocap.policy`` when scored) — all attempts were
retakes/exceptions, or could not even be decoded. Rows without a subject are keyed by their own
id, so an unlabelled folder still yields a list of files to redo.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from biocap.audit.query import FETCH_ROWS, connect
from biocap.audit.store import atomic_text

COLUMNS = (
    "subject",
    "modality",
    "position",
    "station",
    "attempts",
    "best_quality",
    "decision",
    "reasons",
    "best_id",
    "ids",
)

#: every capture in group order; groups are folded in Python one at a time. (One DuckDB
#: ``GROUP BY`` with these eight aggregates needs ~300 MB at a million groups and does not spill
#: under a memory limit; a sort spills, so memory stays flat at any size.)
ROWS_SQL = """
SELECT coalesce(subject, id) AS subj, coalesce(modality, 'unknown') AS mod,
       coalesce(position, '') AS pos,
       CASE WHEN quality IS NULL OR quality = 255 THEN -1 ELSE quality END AS q,
       id, decision, coalesce(array_to_string(reasons, ';'), '') AS reasons, error_code, station
FROM audit
ORDER BY subj, mod, pos, id
"""
_GROUPS_SCHEMA = pa.schema(
    [
        ("subj", pa.string()),
        ("mod", pa.string()),
        ("pos", pa.string()),
        ("stations", pa.string()),
        ("attempts", pa.int64()),
        ("best_quality", pa.int64()),
        ("decision", pa.string()),
        ("reasons", pa.string()),
        ("best_id", pa.string()),
        ("ids", pa.string()),
        ("best_q", pa.int64()),  # -1 when nothing was assessable: the sort key, not written
    ]
)


def _fold(group: list[tuple[Any, ...]]) -> tuple[Any, ...] | None:
    """One (subject, modality, position)'s captures, in id order -> its recapture row, or
    ``None`` when one of them was accepted. The best capture is the first with the top q."""
    if any(r[5] == "accept" for r in group):
        return None
    best = max(group, key=lambda r: r[3])
    subj, mod, pos, q, ident, decision, reasons, error, _ = best
    stations = ";".join(sorted({r[8] for r in group if r[8] is not None})) or None
    ids = ";".join(r[4] for r in group)
    why = reasons or error or ""
    return (subj, mod, pos, stations, len(group), None if q < 0 else q, decision or "error",
            why, ident, ids, q)  # fmt: skip


def _groups(cur) -> Iterator[tuple[Any, ...]]:
    group: list[tuple[Any, ...]] = []
    while chunk := cur.fetchmany(FETCH_ROWS):
        for r in chunk:
            if group and r[:3] != group[0][:3]:
                if (row := _fold(group)) is not None:
                    yield row
                group = []
            group.append(r)
    if group and (row := _fold(group)) is not None:
        yield row


@contextmanager
def _sorted(out: Path) -> Iterator[tuple[Any, int, int]]:
    """(cursor over the recapture rows worst first, how many, how many subjects)."""
    tmp = Path(out) / ".recapture.tmp.parquet"
    con = connect(out, lean=True)
    try:
        writer = pq.ParquetWriter(tmp, _GROUPS_SCHEMA)
        try:
            batch: list[tuple[Any, ...]] = []
            for row in _groups(con.execute(ROWS_SQL)):
                batch.append(row)
                if len(batch) == FETCH_ROWS:
                    writer.write_table(_table(batch))
                    batch = []
            writer.write_table(_table(batch))
        finally:
            writer.close()
        src = f"read_parquet('{str(tmp).replace(chr(39), chr(39) * 2)}')"
        total, subjects = con.execute(
            f"SELECT count(*), count(DISTINCT subj) FROM {src}"
        ).fetchone()
        cols = ", ".join(_GROUPS_SCHEMA.names[:-1])
        cur = con.execute(f"SELECT {cols} FROM {src} ORDER BY best_q, subj, mod, pos")
        yield cur, total, subjects
    finally:
        con.close()
        tmp.unlink(missing_ok=True)


def _table(rows: list[tuple[Any, ...]]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [[] for _ in _GROUPS_SCHEMA.names]
    return pa.Table.from_arrays(
        [pa.array(c, f.type) for c, f in zip(columns, _GROUPS_SCHEMA, strict=True)],
        schema=_GROUPS_SCHEMA,
    )


@dataclass
class Found:
    """What the report shows of the recapture list (the CSV has all of it)."""

    total: int = 0  # (subject, modality, position) keys without an accepted capture
    subjects: int = 0
    head: list[tuple[Any, ...]] = field(default_factory=list)  # the worst first


def rows(out: Path, limit: int | None = None) -> list[tuple[Any, ...]]:
    """The recapture list, worst first (all of it, or the first ``limit`` rows)."""
    with _sorted(out) as (cur, _, _):
        return cur.fetchall() if limit is None else cur.fetchmany(limit)


def write_csv(out: Path, head_rows: int = 500) -> tuple[Path, Found]:
    """Stream the list into ``recapture.csv``; keep its first ``head_rows`` for the report."""
    path = Path(out) / "recapture.csv"
    with _sorted(out) as (cur, total, subjects), atomic_text(path) as fh:
        found = Found(total=total, subjects=subjects)
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        while chunk := cur.fetchmany(FETCH_ROWS):
            w.writerows(chunk)
            found.head.extend(chunk[: max(0, head_rows - len(found.head))])
    return path, found
