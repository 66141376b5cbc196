"""The done-set on disk: which source files already have committed rows, in SQLite.

A results folder's Parquet parts are the source of truth; ``DIR/done.sqlite`` is a cache of
their ``src`` column, so a resume neither reads every part back nor holds a set of millions of
paths in memory. It lists the parts it has taken in: on start every committed part it does not
know yet (the one committed just before a kill) is read and added, and if it knows a part that
is gone (parts deleted by hand to score them again) or cannot be read, it is rebuilt from the
parts. A part is added after its rename and folder fsync, so the cache never claims a source
that no part holds.

Sources a run hands out for scoring go into a ``TEMP`` table (SQLite spills it to a temporary
file), so a file named twice (a folder and a list, a manifest with repeats) is scored once, also
at flat memory.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path

import pyarrow.parquet as pq

from biocap.audit.sources import Item

INDEX_NAME = "done.sqlite"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS parts (name TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS done (src TEXT PRIMARY KEY) WITHOUT ROWID;
"""
#: sources looked up per query; SQLite allows 32766 bound parameters since 3.32.
CHUNK = 500


class DoneIndex:
    """The done-set of one results folder (opened by :class:`biocap.audit.store.Store`)."""

    def __init__(self, out: Path) -> None:
        self.path = Path(out) / INDEX_NAME
        self.skipped = 0  # sources found done by new_items
        self.repeated = 0  # sources named more than once in this run
        self.rebuilt = False
        try:
            self.con = self._open()
        except sqlite3.DatabaseError:  # a damaged cache: start it again from the parts
            self._drop()
            self.con = self._open()

    def _open(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, isolation_level=None)
        con.execute("PRAGMA journal_mode=WAL")  # one writer (the driver), crash-safe
        con.execute("PRAGMA synchronous=NORMAL")  # a lost last commit is re-read from its part
        con.executescript(_SCHEMA)
        con.execute("CREATE TEMP TABLE seen (src TEXT PRIMARY KEY) WITHOUT ROWID")
        return con

    def _drop(self) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        self.rebuilt = True

    def sync(self, part_files: list[Path]) -> int:
        """Add every committed part not yet indexed; rebuild when the index knows a part that
        is gone. Returns the number of parts read."""
        on_disk = {p.name: p for p in part_files}
        known = {name for (name,) in self.con.execute("SELECT name FROM parts")}
        if known - on_disk.keys():
            self.con.close()
            self._drop()
            self.con = self._open()
            known = set()
        missing = sorted(on_disk.keys() - known)
        for name in missing:
            srcs = pq.read_table(on_disk[name], columns=["src"]).column("src").to_pylist()
            self.add_part(name, srcs)
        return len(missing)

    def add_part(self, name: str, srcs: Iterable[str]) -> None:
        """Record a committed part and its sources in one transaction."""
        with self._transaction():
            self.con.executemany("INSERT OR IGNORE INTO done VALUES (?)", ((s,) for s in srcs))
            self.con.execute("INSERT OR IGNORE INTO parts VALUES (?)", (name,))

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        self.con.execute("BEGIN")
        try:
            yield
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self.con.execute("COMMIT")

    def __len__(self) -> int:
        return self.con.execute("SELECT count(*) FROM done").fetchone()[0]

    def new_items(self, items: Iterable[Item]) -> Iterator[Item]:
        """``items`` less those already committed and those met earlier in this run, in order,
        looked up ``CHUNK`` at a time (one query each for ``done`` and ``seen``)."""
        it = iter(items)
        while chunk := list(islice(it, CHUNK)):
            first: dict[str, Item] = {}
            for item in chunk:
                if item.path in first:
                    self.repeated += 1
                else:
                    first[item.path] = item
            done = self._lookup("done", list(first))
            self.skipped += len(done)
            # only what will be scored needs remembering: a repeat of a done file is done too
            keys = [k for k in first if k not in done]
            seen = self._lookup("seen", keys) if keys else set()
            self.repeated += len(seen)
            with self._transaction():
                self.con.executemany(
                    "INSERT INTO seen VALUES (?)", ((k,) for k in keys if k not in seen)
                )
            for key in keys:
                if key not in seen:
                    yield first[key]

    def _lookup(self, table: str, keys: list[str]) -> set[str]:
        marks = ",".join("?" * len(keys))
        sql = f"SELECT src FROM {table} WHERE src IN ({marks})"
        return {s for (s,) in self.con.execute(sql, keys)}

    def close(self) -> None:
        self.con.close()
