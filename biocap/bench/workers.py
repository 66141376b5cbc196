"""Fresh single-threaded worker processes that hold the samples and run timed jobs on them.

Every timing of ``biocap bench`` runs in such a worker, not in the process that drives the run:
a station process only ever decodes and assesses, whereas the driver has generated images,
loaded reference data or run pytest, and glibc's allocator remembers that (after large frees it
keeps memory that a fresh process returns to the OS and faults back in: ~2 ms per fingerprint
measured on a 2-core VM). So latency and throughput are measured in the same, station-like state.

``spawn``: no threads or onnxruntime state inherited from a fork. Each worker gets the samples,
warms up on one pass (model session, caches), then runs jobs: a module-level function called as
``func(modality, samples, *args)`` in the worker, whose return value comes back to the driver.
"""

from __future__ import annotations

import multiprocessing as mp
import queue as queue_mod
import time
from collections.abc import Callable, Sequence
from typing import Any

from biocap.bench.samples import Sample
from biocap.bench.threads import single_thread_env

#: seconds a worker may take to start and warm up (imports, model load, one pass).
START_TIMEOUT_S = 180.0

Job = Callable[..., Any]  # (modality, samples, *args) -> picklable result


def _worker(index: int, modality: str, commands, results) -> None:
    try:
        from biocap.bench.threads import pin_one_thread
        from biocap.io import decode
        from biocap.records import assessors

        pin_one_thread()
        assess = assessors()[modality]
        samples = commands.get()
        for s in samples:  # warm-up pass
            assess(decode(s.data, ppi=s.ppi, modality=modality, source=s.name))
        results.put(("ready", index, None))
        while (command := commands.get()) is not None:
            func, args = command
            results.put(("done", index, func(modality, samples, *args)))
    except BaseException as e:  # reported to the driver, which stops the run
        results.put(("error", index, f"{type(e).__name__}: {e}"))


class Workers:
    """``n`` single-threaded workers holding ``samples`` (all decodable); a context manager."""

    def __init__(self, samples: Sequence[Sample], modality: str, n: int) -> None:
        ctx = mp.get_context("spawn")
        self.results = ctx.Queue()
        self.commands = [ctx.Queue() for _ in range(n)]
        self.procs = [
            ctx.Process(
                target=_worker, args=(i, modality, self.commands[i], self.results), daemon=True
            )
            for i in range(n)
        ]
        with single_thread_env():  # read by numpy/OpenCV/BLAS when each child loads them
            for p in self.procs:
                p.start()
        # Samples go by queue, not as process arguments: the driver writes arguments to the
        # child's pipe in its own thread, and would block for good on a child that died
        # before reading them (e.g. an unimportable __main__).
        for q in self.commands:
            q.put(list(samples))
        try:
            self._collect("ready", range(n), START_TIMEOUT_S)
        except BaseException:
            self.close()
            raise

    def __len__(self) -> int:
        return len(self.procs)

    def _collect(self, kind: str, indices, timeout_s: float) -> dict[int, Any]:
        """Messages of ``kind`` from the given workers; raises on an error or a dead worker."""
        waiting, got = set(indices), {}
        deadline = time.monotonic() + timeout_s
        while waiting:
            try:
                what, index, payload = self.results.get(timeout=0.5)
            except queue_mod.Empty:
                dead = [i for i in waiting if not self.procs[i].is_alive()]
                if dead:
                    code = self.procs[dead[0]].exitcode
                    raise RuntimeError(f"bench worker {dead[0]} exited (code {code})") from None
                if time.monotonic() > deadline:
                    raise RuntimeError(
                        f"bench workers did not answer in {timeout_s:.0f} s"
                    ) from None
                continue
            if what == "error":
                raise RuntimeError(f"bench worker {index} failed: {payload}")
            if what == kind and index in waiting:
                waiting.discard(index)
                got[index] = payload
        return got

    def call(self, func: Job, *args: Any, processes: int = 1, timeout_s: float) -> list[Any]:
        """Run ``func(modality, samples, *args)`` on the first ``processes`` workers at once;
        their results in worker order."""
        for q in self.commands[:processes]:
            q.put((func, args))
        got = self._collect("done", range(processes), timeout_s)
        return [got[i] for i in range(processes)]

    def close(self) -> None:
        for q in self.commands:
            q.put(None)
        for p in self.procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
                p.join()

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
