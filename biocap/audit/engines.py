"""Where batches run: a local process pool, or Dask distributed (a scheduler or a LocalCluster).

Both engines run the same worker function, :func:`biocap.audit.worker.score_batch`, on the same
batches; only the driver loop here (one per run) writes results, through
:class:`biocap.audit.store.Store`. Rows are buffered and committed as one Parquet part every
``part_rows`` rows or ``part_seconds`` seconds, always between batches, so a source file's rows
are never split across parts.

A batch whose worker died (a native crash, the OOM killer, a lost Dask worker) is split and its
files retried one by one; a file that kills its worker twice gets a ``worker_crashed`` error row.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing as mp
import os
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from biocap.audit.progress import Progress
from biocap.audit.sources import Item
from biocap.audit.store import Store
from biocap.audit.worker import Options, score_batch, setup_worker
from biocap.runtime import SINGLE_THREAD_ENV, usable_cores


class LocalEngine:
    """A ``spawn`` process pool of single-threaded workers (no forked onnxruntime state)."""

    name = "local"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or usable_cores()
        os.environ.update(SINGLE_THREAD_ENV)  # inherited by every worker spawned from here
        self._start()

    def _start(self) -> None:
        self.pool = cf.ProcessPoolExecutor(
            self.workers, mp_context=mp.get_context("spawn"), initializer=setup_worker
        )

    def submit(self, batch: list[Item], options: Options) -> cf.Future:
        return self.pool.submit(score_batch, batch, options)

    def wait_first(self, pending: Iterable[Any]) -> set[Any]:
        done, _ = cf.wait(list(pending), return_when=cf.FIRST_COMPLETED)
        return done

    def recover(self, exc: BaseException) -> None:
        """After a worker died the pool is unusable: start a fresh one."""
        # Every future of a broken pool fails: restart once, not once per future.
        if isinstance(exc, cf.process.BrokenProcessPool) and getattr(self.pool, "_broken", True):
            self.pool.shutdown(wait=False, cancel_futures=True)
            self._start()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskEngine:
    """Dask distributed: ``scheduler`` ``tcp://host:8786`` of a running cluster, or (None) a
    LocalCluster of ``workers`` single-threaded worker processes started for this run."""

    name = "dask"

    def __init__(self, workers: int | None = None, scheduler: str | None = None) -> None:
        from distributed import Client, LocalCluster

        os.environ.update(SINGLE_THREAD_ENV)
        self.cluster = None
        if scheduler:
            self.client = Client(scheduler)
        else:
            self.cluster = LocalCluster(
                n_workers=workers or usable_cores(),
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=40,  # logging.ERROR: keep the progress line readable
            )
            self.client = Client(self.cluster)
        self.client.wait_for_workers(1, timeout=120)
        self.workers = max(1, sum(self.client.nthreads().values()))

    def submit(self, batch: list[Item], options: Options):
        return self.client.submit(score_batch, batch, options, pure=False)

    def wait_first(self, pending: Iterable[Any]) -> set[Any]:
        from distributed import wait

        return set(wait(list(pending), return_when="FIRST_COMPLETED").done)

    def recover(self, exc: BaseException) -> None:
        """Dask reschedules work of lost workers itself; nothing to restart here."""

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_engine(name: str, workers: int | None, scheduler: str | None):
    if name == "dask":
        return DaskEngine(workers, scheduler)
    if scheduler:
        raise ValueError("--scheduler needs --engine dask")
    return LocalEngine(workers)


@dataclass
class RunStats:
    files_total: int = 0
    files_skipped: int = 0  # already committed by an earlier (killed) run
    files_scored: int = 0
    images: int = 0
    errors: int = 0
    parts: int = 0
    retried_files: int = 0
    elapsed_s: float = 0.0  # drive loop: worker start-up, scoring and every commit
    warmup_s: float = 0.0  # until the first batch came back (process start, imports, model)
    steady_images_per_s: float = 0.0  # after the first batch: the rate a long run sees
    engine: str = ""
    workers: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def images_per_s(self) -> float:
        return self.images / self.elapsed_s if self.elapsed_s > 0 else 0.0


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    batch: list[Item] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _crash_rows(item: Item, options: Options, exc: BaseException) -> list[dict[str, Any]]:
    from biocap.audit.rows import flatten

    record = {
        "modality": None,
        "quality": None,
        "failure_reason": None,
        "decision": None,
        "reasons": [],
        "defects": [],
        "measures": {},
        "ms": None,
        "error": {
            "code": "worker_crashed",
            "message": f"the worker scoring this file died twice ({type(exc).__name__}: {exc})",
        },
    }
    base = {
        "id": item.path,
        "src": item.path,
        "kind": item.kind,
        "engine_version": options.engine_version,
        "git_commit": options.git_commit,
        "models": options.models,
        "profile": options.profile,
        "run_id": options.run_id,
    }
    return [flatten(record, base)]


def drive(
    engine,
    items: Iterable[Item],
    options: Options,
    store: Store,
    *,
    batch_size: int = 32,
    part_rows: int = 5000,
    part_seconds: float = 30.0,
    progress: Progress | None = None,
    max_tries: int = 2,
) -> RunStats:
    """Score ``items`` on ``engine`` and commit every row through ``store``. ``items`` is
    consumed lazily, a batch at a time, as workers free up (a generator of millions is fine)."""
    stats = RunStats(engine=engine.name, workers=engine.workers)
    t0 = time.perf_counter()
    todo = _chunks(items, batch_size)
    retry: deque[tuple[list[Item], int]] = deque()
    pending: dict[Any, tuple[list[Item], int]] = {}
    max_in_flight = 2 * engine.workers + 1
    buffer: list[dict[str, Any]] = []
    last_commit = time.perf_counter()
    exhausted = False
    first: tuple[float, int] | None = None

    def commit() -> None:
        nonlocal buffer, last_commit
        rows, buffer = buffer, []  # a failed write must not be retried into a second part
        if rows:
            store.write(rows)
            stats.parts += 1
        last_commit = time.perf_counter()

    try:
        while True:
            while len(pending) < max_in_flight:
                if retry:
                    batch, tries = retry.popleft()
                else:
                    nxt = None if exhausted else next(todo, None)
                    if nxt is None:
                        exhausted = True
                        break
                    batch, tries = nxt, 0
                pending[engine.submit(batch, options)] = (batch, tries)
            if not pending:
                break
            for fut in engine.wait_first(pending):
                batch, tries = pending.pop(fut)
                try:
                    rows = fut.result()
                except Exception as exc:  # the worker died, or the engine lost it
                    engine.recover(exc)
                    if len(batch) > 1:
                        retry.extend(([item], tries + 1) for item in batch)
                        stats.retried_files += len(batch)
                        continue
                    if tries + 1 < max_tries:
                        retry.append((batch, tries + 1))
                        continue
                    rows = _crash_rows(batch[0], options, exc)
                if first is None:
                    first = (time.perf_counter(), stats.images + len(rows))
                buffer.extend(rows)
                stats.files_scored += len(batch)
                stats.images += len(rows)
                errors = sum(r.get("error_code") is not None for r in rows)
                stats.errors += errors
                if progress is not None:
                    progress.update(len(batch), len(rows), errors)
            if len(buffer) >= part_rows or time.perf_counter() - last_commit >= part_seconds:
                commit()
    finally:  # also on ^C or a lost cluster: the buffer holds whole batches only
        commit()
    end = time.perf_counter()
    stats.elapsed_s = end - t0
    if first is not None:
        stats.warmup_s = first[0] - t0
        if end > first[0] and stats.images > first[1]:
            stats.steady_images_per_s = (stats.images - first[1]) / (end - first[0])
    return stats
