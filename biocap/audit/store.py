"""Results folder: Parquet parts committed atomically, so a killed run resumes exactly once.

Layout of ``--out DIR``::

    DIR/parts/part-<run>-<seq>.parquet   one committed part (source of truth)
    DIR/run.json                         engine version, git commit, model sha256s, runs
    DIR/done.sqlite                      the done-set: a cache of the parts' src column
    DIR/nfiq2.csv, report.html, recapture.csv   derived; rebuilt from the parts at the end

Commit protocol: a part is written to ``parts/<name>.parquet.tmp``, flushed and fsync'ed, then
renamed to ``<name>.parquet`` (atomic on POSIX) and the folder fsync'ed. A SIGKILL at any moment
leaves either a complete part or a ``.tmp`` file that the next run deletes. Every source file's
rows go into one part together (the driver only cuts parts between batches), and a resumed run
skips every ``src`` already found in a committed part (looked up in ``done.sqlite``,
:mod:`biocap.audit.index`): no image lost, none scored twice. One run at a time per folder (an
advisory lock, released by the kernel when the holder dies).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import pyarrow.parquet as pq

from biocap.audit.index import DoneIndex
from biocap.audit.rows import to_table
from biocap.errors import BiocapError

PART_GLOB = "part-*.parquet"


class StoreLockedError(BiocapError):
    code = "audit_running"


def _lock(fh) -> None:
    """Take ``fh``'s exclusive lock or raise ``OSError`` (fcntl on POSIX, msvcrt on Windows:
    both are dropped by the kernel when the holder dies)."""
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)


def _unlock(fh) -> None:
    if sys.platform == "win32":
        import msvcrt

        fh.seek(0)
        msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
    else:
        import fcntl

        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    if sys.platform == "win32":  # a folder cannot be opened to fsync there; NTFS journals it
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_text(path: Path) -> Iterator[TextIO]:
    """A text file written beside ``path`` and renamed over it when the block
    ends without an error (so a report of millions of lines is streamed, not held)."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)
    _fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``path`` so that readers and crashes see the old file or the new one, never half."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class Store:
    """A results folder opened for one run (holds the folder's lock until :meth:`close`)."""

    def __init__(self, out: Path, run_id: str) -> None:
        self.out = Path(out)
        self.parts = self.out / "parts"
        self.parts.mkdir(parents=True, exist_ok=True)
        self.run_id = run_id
        self._seq = 0
        self._lock = open(self.out / ".lock", "a+")  # noqa: SIM115 (held for the run)
        try:
            _lock(self._lock)
        except OSError as e:
            self._lock.close()
            raise StoreLockedError(f"another audit is writing to {self.out}") from e
        self.removed_tmp = self._remove_partial()
        try:
            self.index = DoneIndex(self.out)
            self.parts_indexed = self.index.sync(self.part_files())
        except BaseException:
            self.close()
            raise

    def _remove_partial(self) -> int:
        n = 0
        for tmp in self.parts.glob("*.tmp"):
            tmp.unlink(missing_ok=True)  # a part whose run was killed before the rename
            n += 1
        return n

    def part_files(self) -> list[Path]:
        return sorted(self.parts.glob(PART_GLOB))

    def done(self) -> set[str]:
        """Source files with committed rows, as a set (small folders and tests; a run asks
        :meth:`DoneIndex.new_items` instead)."""
        return {s for (s,) in self.index.con.execute("SELECT src FROM done")}

    def write(self, rows: list[dict[str, Any]]) -> Path:
        """Commit ``rows`` as one new part: tmp, fsync, rename, fsync the folder."""
        self._seq += 1
        final = self.parts / f"part-{self.run_id}-{self._seq:06d}.parquet"
        tmp = final.with_name(final.name + ".tmp")
        table = to_table(rows)
        with open(tmp, "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        os.rename(tmp, final)
        _fsync_dir(self.parts)
        self.index.add_part(final.name, (r["src"] for r in rows))
        return final

    def close(self) -> None:
        index = getattr(self, "index", None)
        if index is not None:
            index.close()
        if not self._lock.closed:
            _unlock(self._lock)
            self._lock.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def parts_glob(out: Path) -> str:
    """The DuckDB/pyarrow glob of a results folder's committed parts."""
    return str(Path(out) / "parts" / PART_GLOB)


def iter_parts(out: Path) -> Iterator[Path]:
    yield from sorted((Path(out) / "parts").glob(PART_GLOB))


def record_run(out: Path, meta: dict[str, Any]) -> None:
    """Append this run's metadata to ``run.json`` (one entry per start, resumed ones too)."""
    path = Path(out) / "run.json"
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        doc = {"schema": "biocap-audit/1", "runs": []}
    doc["runs"].append({**meta, "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
    doc["latest"] = meta
    atomic_write_bytes(path, json.dumps(doc, indent=2).encode())
