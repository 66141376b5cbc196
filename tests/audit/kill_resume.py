"""SIGKILL ``biocap audit`` at random moments, restart it until done, check exactly-once.

Shared by ``test_kill_resume.py`` (a few kill points) and ``benchmarks/audit_kill_resume.py``
(20). Each audit runs as a real ``python -m biocap.cli audit`` in its own process group, and a
kill takes the whole group (driver and pool workers), as ``kill -9`` of a job would.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[2]


@dataclass
class KillReport:
    kills: int = 0
    jobs: int = 0
    starts: int = 0
    images: int = 0  # expected rows per job
    lost: int = 0
    duplicated: int = 0
    changed: int = 0  # rows whose quality differs from an uninterrupted run
    partial_seen: int = 0  # .tmp parts found right after a kill (removed by the next start)
    unreadable_parts: int = 0
    duckdb_lost: int = 0  # the same two checks again, by DuckDB over all parts of each job
    duckdb_twice: int = 0
    kill_delays_s: list[float] = field(default_factory=list)
    committed_at_kill: list[int] = field(default_factory=list)
    full_run_s: float = 0.0

    @property
    def ok(self) -> bool:
        bad = self.lost or self.duplicated or self.changed or self.unreadable_parts
        return not (bad or self.duckdb_lost or self.duckdb_twice)


#: small batches and parts: many commits, so kills land in every phase of the protocol.
SMALL_PARTS = (4, 16, 0.5)


def command(
    inputs: Path,
    out: Path,
    workers: int,
    engine: str = "local",
    parts: tuple[int, int, float] = SMALL_PARTS,
) -> list[str]:
    """The audit command; ``inputs`` is a folder, or a ``.csv``/``.parquet`` manifest."""
    batch, part_rows, part_seconds = parts
    source = ["--manifest", str(inputs)] if inputs.suffix in (".csv", ".parquet") else [str(inputs)]
    return [
        sys.executable,
        "-m",
        "biocap.cli",
        "audit",
        *source,
        "--out",
        str(out),
        "--workers",
        str(workers),
        "--batch",
        str(batch),
        "--part-rows",
        str(part_rows),
        "--part-seconds",
        str(part_seconds),
        "--quiet",
        "--engine",
        engine,
    ]


def duckdb_check(out: Path, reference: Path) -> tuple[int, int]:
    """(ids of ``reference`` missing from ``out``, rows of ``out`` beyond one per id)."""
    import duckdb

    def view(folder: Path) -> str:
        glob = str(folder / "parts" / "part-*.parquet").replace("'", "''")
        return f"read_parquet('{glob}', union_by_name = true)"

    con = duckdb.connect()
    try:
        lost = con.execute(
            f"SELECT count(*) FROM {view(reference)} r ANTI JOIN {view(out)} o USING (id)"
        ).fetchone()[0]
        twice = con.execute(f"SELECT count(*) - count(DISTINCT id) FROM {view(out)}").fetchone()[0]
    finally:
        con.close()
    return lost, twice


def _start(cmd: list[str]) -> subprocess.Popen:
    return subprocess.Popen(
        cmd,
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill reaches the pool workers
    )


def committed(out: Path) -> tuple[list[tuple[str, int | None]], int]:
    """(id, quality) of every committed row, and the number of unreadable parts."""
    rows, bad = [], 0
    for f in sorted((out / "parts").glob("part-*.parquet")):
        try:
            t = pq.read_table(f, columns=["id", "quality"])
        except Exception:
            bad += 1
            continue
        rows += list(zip(t.column("id").to_pylist(), t.column("quality").to_pylist(), strict=True))
    return rows, bad


def run_to_completion(cmd: list[str], timeout_s: float = 600) -> float:
    t0 = time.perf_counter()
    p = _start(cmd)
    _, err = p.communicate(timeout=timeout_s)
    if p.returncode != 0:
        raise RuntimeError(f"audit failed ({p.returncode}): {err.decode()[-2000:]}")
    return time.perf_counter() - t0


def kill_and_resume(
    inputs: Path,
    work: Path,
    kills: int,
    *,
    workers: int = 2,
    seed: int = 0,
    engine: str = "local",
    parts: tuple[int, int, float] = SMALL_PARTS,
) -> KillReport:
    """Kill ``kills`` times in total (over as many jobs as that takes); verify every job."""
    rng = random.Random(seed)
    rep = KillReport()
    ref_out = work / "reference"
    rep.full_run_s = run_to_completion(command(inputs, ref_out, workers, engine, parts))
    reference = dict(committed(ref_out)[0])
    rep.images = len(reference)
    while rep.kills < kills:
        rep.jobs += 1
        out = work / f"job{rep.jobs}"
        cmd = command(inputs, out, workers, engine, parts)
        while True:
            rep.starts += 1
            p = _start(cmd)
            delay = rng.uniform(0.0, rep.full_run_s)
            try:
                p.wait(timeout=delay)
            except subprocess.TimeoutExpired:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
                rep.kills += 1
                rep.kill_delays_s.append(round(delay, 3))
                rows, bad = committed(out)
                rep.unreadable_parts += bad
                ids = [i for i, _ in rows]
                rep.duplicated += len(ids) - len(set(ids))
                rep.committed_at_kill.append(len(ids))
                rep.partial_seen += len(list((out / "parts").glob("*.tmp")))
                if rep.kills >= kills:
                    run_to_completion(cmd)  # the last restart runs to the end
                    break
                continue
            if p.returncode != 0:
                raise RuntimeError(f"audit failed ({p.returncode}): {p.stderr.read().decode()}")
            break
        rows, bad = committed(out)
        rep.unreadable_parts += bad
        got = dict(rows)
        rep.duplicated += len(rows) - len(got)
        rep.lost += len(reference.keys() - got.keys())
        rep.changed += sum(got[k] != q for k, q in reference.items() if k in got)
        if list((out / "parts").glob("*.tmp")):
            rep.unreadable_parts += 1  # a partial file left after a completed run
        lost, twice = duckdb_check(out, ref_out)
        rep.duckdb_lost += lost
        rep.duckdb_twice += twice
    return rep
