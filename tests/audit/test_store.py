"""Atomic parts, the done-set read back, partial files removed, one writer per folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from biocap.audit.store import Store, StoreLockedError


def _row(src: str, **extra: object) -> dict[str, object]:
    return {"id": src, "src": src, "modality": "finger", "quality": 50, **extra}


def test_parts_commit_and_done_set_survives_restart(tmp_path: Path) -> None:
    with Store(tmp_path, "r1") as s:
        s.write([_row("a"), _row("b", m_x=1.5)])
        s.write([_row("c", quality=None)])
        assert len(s.part_files()) == 2
    (tmp_path / "parts" / "part-r1-000009.parquet.tmp").write_bytes(b"half a part")
    with Store(tmp_path, "r2") as s:
        assert s.removed_tmp == 1
        assert not list((tmp_path / "parts").glob("*.tmp"))
        assert s.done() == {"a", "b", "c"}


def test_one_run_per_folder(tmp_path: Path) -> None:
    with Store(tmp_path, "r1"), pytest.raises(StoreLockedError):
        Store(tmp_path, "r2")
    Store(tmp_path, "r3").close()  # released with the first


def test_parts_with_different_measures_query_as_one_table(tmp_path: Path) -> None:
    from biocap.audit.query import query

    with Store(tmp_path, "r1") as s:
        s.write([_row("a", m_ridge_period=9.0)])
        s.write([_row("b", modality="face", m_inter_eye_distance=80.0)])
    _, rows = query(
        tmp_path, "SELECT src, m_ridge_period, m_inter_eye_distance FROM audit ORDER BY src"
    )
    assert rows == [("a", 9.0, None), ("b", None, 80.0)]


def test_a_crash_while_writing_leaves_no_part_and_nothing_marked_done(
    tmp_path: Path, monkeypatch
) -> None:
    import pyarrow.parquet as pq

    def dies_half_way(table, fh, **kw):
        fh.write(b"PAR1 half a part")
        raise KeyboardInterrupt  # stands in for SIGKILL between write and rename

    with Store(tmp_path, "r1") as s:
        s.write([_row("a")])
        monkeypatch.setattr(pq, "write_table", dies_half_way)
        with pytest.raises(KeyboardInterrupt):
            s.write([_row("b")])
        monkeypatch.undo()
    assert len(list((tmp_path / "parts").glob("*.tmp"))) == 1
    with Store(tmp_path, "r2") as s:
        assert s.done() == {"a"}  # "b" is scored again by the resumed run
        assert not list((tmp_path / "parts").glob("*.tmp"))


def _sources(out: Path) -> list[str]:
    import sqlite3

    con = sqlite3.connect(out / "done.sqlite")
    try:
        return sorted(s for (s,) in con.execute("SELECT src FROM done"))
    finally:
        con.close()


def test_done_index_catches_up_with_parts_it_missed_and_rebuilds_when_parts_go(
    tmp_path: Path,
) -> None:
    from biocap.audit.sources import Item

    with Store(tmp_path, "r1") as s:
        s.write([_row("a"), _row("b")])
        kept = s.write([_row("c")])
    # a kill between a part's rename and its index commit: the part exists, the index lacks it
    with Store(tmp_path, "r2") as s:
        s.index.con.execute("DELETE FROM done WHERE src = 'c'")
        s.index.con.execute("DELETE FROM parts WHERE name = ?", (kept.name,))
    with Store(tmp_path, "r3") as s:
        assert s.parts_indexed == 1 and s.done() == {"a", "b", "c"}
        items = [Item(x, "image") for x in ("a", "d", "c", "e", "d")]
        assert [i.path for i in s.index.new_items(items)] == ["d", "e"]
        assert (s.index.skipped, s.index.repeated) == (2, 1)
    # parts deleted by hand (to score them again): the index forgets them too
    next(p for p in s.part_files() if p != kept).unlink()
    with Store(tmp_path, "r4") as s:
        assert s.index.rebuilt and s.done() == {"c"}
    # a damaged index file is a cache: rebuilt from the parts
    (tmp_path / "done.sqlite").write_bytes(b"not a database" * 100)
    for extra in ("done.sqlite-wal", "done.sqlite-shm"):
        (tmp_path / extra).unlink(missing_ok=True)
    with Store(tmp_path, "r5") as s:
        assert s.done() == {"c"}
    assert _sources(tmp_path) == ["c"]
