"""Who must come back: subjects with a finger/face/eye that has no accepted capture.

A (subject, modality, position) needs recapture when none of its captures was accepted under the
profile (the ``decision`` column, computed by ``biocap.policy`` when scored) — all attempts were
retakes/exceptions, or could not even be decoded. Rows without a subject are keyed by their own
id, so an unlabelled folder still yields a list of files to redo.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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

SQL = """
WITH c AS (
  SELECT coalesce(subject, id) AS subj, coalesce(modality, 'unknown') AS mod,
         coalesce(position, '') AS pos, *,
         CASE WHEN quality IS NULL OR quality = 255 THEN -1 ELSE quality END AS q
  FROM audit
), g AS (
  SELECT subj, mod, pos,
         count(*) AS attempts,
         max(q) AS best_q,
         bool_or(decision = 'accept') AS any_accept,
         arg_max(id, q) AS best_id,
         arg_max(coalesce(decision, 'error'), q) AS best_decision,
         arg_max(coalesce(array_to_string(reasons, ';'), ''), q) AS best_reasons,
         arg_max(error_code, q) AS best_error,
         string_agg(DISTINCT station, ';') AS stations,
         string_agg(id, ';' ORDER BY id) AS ids
  FROM c GROUP BY subj, mod, pos
)
SELECT subj, mod, pos, stations, attempts, CASE WHEN best_q < 0 THEN NULL ELSE best_q END,
       best_decision,
       CASE WHEN best_reasons = '' THEN coalesce(best_error, '') ELSE best_reasons END,
       best_id, ids
FROM g WHERE NOT coalesce(any_accept, false)
ORDER BY best_q, subj, mod, pos
"""


@dataclass
class Found:
    """What the report shows of the recapture list (the CSV has all of it)."""

    total: int = 0  # (subject, modality, position) keys without an accepted capture
    subjects: int = 0
    head: list[tuple[Any, ...]] = field(default_factory=list)  # the worst first


def rows(out: Path, limit: int | None = None) -> list[tuple[Any, ...]]:
    con = connect(out)
    try:
        return con.execute(SQL + ("" if limit is None else f" LIMIT {int(limit)}")).fetchall()
    finally:
        con.close()


def write_csv(out: Path, head_rows: int = 500) -> tuple[Path, Found]:
    """Stream the list into ``recapture.csv``; keep its first ``head_rows`` for the report."""
    path = Path(out) / "recapture.csv"
    found = Found()
    con = connect(out)
    try:
        found.subjects = con.execute(f"SELECT count(DISTINCT subj) FROM ({SQL})").fetchone()[0]
        cur = con.execute(SQL)
        with atomic_text(path) as fh:
            w = csv.writer(fh)
            w.writerow(COLUMNS)
            while chunk := cur.fetchmany(FETCH_ROWS):
                w.writerows(chunk)
                found.total += len(chunk)
                found.head.extend(chunk[: max(0, head_rows - len(found.head))])
    finally:
        con.close()
    return path, found
