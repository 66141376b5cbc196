"""The driver loop: a batch whose worker dies is retried file by file, then recorded."""

from __future__ import annotations

import concurrent.futures as cf
from pathlib import Path

from biocap.audit.engines import drive
from biocap.audit.sources import Item
from biocap.audit.store import Store
from biocap.audit.worker import Options


class FlakyEngine:
    """Runs batches inline; any batch holding ``poison`` 'crashes' its worker."""

    name, workers = "fake", 2

    def __init__(self, poison: str) -> None:
        self.poison, self.recovered = poison, 0

    def submit(self, batch, options):
        f: cf.Future = cf.Future()
        if any(i.path == self.poison for i in batch):
            f.set_exception(cf.process.BrokenProcessPool("worker died"))
        else:
            f.set_result([{"id": i.path, "src": i.path, "quality": 50} for i in batch])
        return f

    def wait_first(self, pending):
        return set(pending)

    def recover(self, exc):
        self.recovered += 1


def test_crashing_file_gets_an_error_row_and_the_rest_are_scored(tmp_path: Path) -> None:
    items = [Item(f"f{i}", "image") for i in range(10)]
    engine = FlakyEngine("f3")
    with Store(tmp_path, "r") as store:
        stats = drive(engine, items, Options(), store, batch_size=4, part_rows=3)
        done = store.done()
    assert done == {f"f{i}" for i in range(10)}
    assert stats.files_scored == 10 and stats.errors == 1 and stats.retried_files == 4
    from biocap.audit.query import query

    _, rows = query(tmp_path, "SELECT src, error_code FROM audit WHERE error_code IS NOT NULL")
    assert rows == [("f3", "worker_crashed")]
