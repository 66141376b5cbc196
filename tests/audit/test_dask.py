"""The Dask engine: a LocalCluster of worker processes runs the same score_batch as the pool."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from biocap.audit.run import audit
from tests.audit.helpers import bad_files, make_prints

pytest.importorskip("distributed")


def _by_id(out: Path) -> dict[str, dict]:
    t = pq.ParquetDataset(sorted((out / "parts").glob("part-*.parquet"))).read().to_pylist()
    return {r["id"]: r for r in t}


def test_dask_local_cluster_matches_local_pool(tmp_path: Path) -> None:
    make_prints(tmp_path / "in", 30)
    bad = bad_files(tmp_path / "in" / "broken")
    common = {"workers": 2, "batch_size": 4, "part_rows": 8, "progress": False}
    dask_stats = audit([str(tmp_path / "in")], tmp_path / "dask", engine="dask", **common)
    local_stats = audit([str(tmp_path / "in")], tmp_path / "local", derive=False, **common)
    assert dask_stats.engine == "dask" and dask_stats.workers == 2
    d, loc = _by_id(tmp_path / "dask"), _by_id(tmp_path / "local")
    assert len(d) == 33 and d.keys() == loc.keys()
    assert {k: r["quality"] for k, r in d.items()} == {k: r["quality"] for k, r in loc.items()}
    assert {p: d[p]["error_code"] for p in bad} == bad
    assert len({r["worker"] for r in d.values() if r["worker"]}) == 2  # both workers scored
    assert local_stats.images == dask_stats.images == 33
    assert (tmp_path / "dask" / "report.html").is_file()


def test_dask_with_an_external_scheduler(tmp_path: Path) -> None:
    from distributed import LocalCluster

    make_prints(tmp_path / "in", 6)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        stats = audit(
            [str(tmp_path / "in")],
            tmp_path / "out",
            engine="dask",
            scheduler=cluster.scheduler_address,
            progress=False,
            derive=False,
        )
    assert stats.images == 6 and stats.workers == 2
