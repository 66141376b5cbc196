"""Enumeration and the path-pattern / modality rules."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from biocap.audit.index import DoneIndex
from biocap.audit.sources import PathPattern, enumerate_items, modality_from_path
from biocap.errors import InvalidParameterError


def test_pattern_matches_the_end_of_the_path() -> None:
    p = PathPattern("{station}/{subject}/{position}_{attempt}.png")
    got = p.match("/data/campaign/st07/S0001/2_1.png")
    assert got == {"station": "st07", "subject": "S0001", "position": "2", "attempt": "1"}
    assert p.match("/data/S0001/2_1.jpg") == {}  # extension is literal
    assert p.match("2_1.png") == {}  # too few components


def test_pattern_wildcard_and_windows_separators() -> None:
    p = PathPattern("{day}/*/{subject}_{position}.*")
    assert p.match("C:\\audit\\2026-11-20\\cam2\\A17_3.wsq") == {
        "day": "2026-11-20",
        "subject": "A17",
        "position": "3",
    }


@pytest.mark.parametrize("bad", ["{nope}/{subject}", "{subject}/{subject}.png"])
def test_pattern_rejects_unknown_or_repeated_fields(bad: str) -> None:
    with pytest.raises(InvalidParameterError):
        PathPattern(bad)


@pytest.mark.parametrize(
    ("path", "modality"),
    [
        ("/x/faces/p1.jpg", "face"),
        ("/x/Iris/left/p1.png", "iris"),
        ("/x/fingerprints/2_1.png", "finger"),
        ("/x/eyes/faces/p.png", "face"),  # the nearest folder wins
        ("/x/y/p.png", None),
    ],
)
def test_modality_from_folder_names(path: str, modality: str | None) -> None:
    assert modality_from_path(path) == modality


def test_enumerate_folders_lists_and_files(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "x.png").write_bytes(b"1")
    (tmp_path / "a" / "b" / "y.wsq").write_bytes(b"1")
    (tmp_path / "a" / "b" / "t.an2").write_bytes(b"1")
    (tmp_path / "a" / "notes.txt").write_text("ignored in folders")
    (tmp_path / "a" / ".hidden.png").write_bytes(b"1")
    (tmp_path / "other.dat").write_bytes(b"1")
    lst = tmp_path / "list.txt"
    lst.write_text("# batch\na/x.png\n\nother.dat\n")
    sources = [str(tmp_path / "a"), str(lst), str(tmp_path / "missing.png")]
    items = list(enumerate_items(sources))
    paths = [Path(i.path).relative_to(tmp_path).as_posix() for i in items]
    # streamed as found: x.png is named twice (folder and list)
    assert paths == ["a/b/t.an2", "a/b/y.wsq", "a/x.png", "a/x.png", "other.dat", "missing.png"]
    kinds = [i.kind for i in items]
    assert kinds == ["nist", "image", "image", "image", "unknown", "image"]
    assert all(os.path.isabs(i.path) for i in items)
    (tmp_path / "out").mkdir()
    index = DoneIndex(tmp_path / "out")  # the run's done-index drops the repeat
    unique = [Path(i.path).name for i in index.new_items(enumerate_items(sources))]
    assert unique == ["t.an2", "y.wsq", "x.png", "other.dat", "missing.png"]
    assert index.repeated == 1 and index.skipped == 0


def test_symlinked_folders_are_followed_without_looping(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (real / "a.png").write_bytes(b"1")
    top = tmp_path / "top"
    top.mkdir()
    (top / "linked").symlink_to(real)
    (real / "loop").symlink_to(real)  # a cycle
    items = list(enumerate_items([str(top)]))
    assert [Path(i.path).name for i in items] == ["a.png"]
