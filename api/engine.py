"""The HTTP process's side of an assessment: queue the CPU work, keep attempts and metrics.

``biocap serve --workers N`` runs one HTTP process and N assessment processes fed from one
queue (:mod:`api.work` holds what they run). Several uvicorn workers sharing the socket split
the stations by connection, not by request: 16 stations landed 14 / 2 on two workers (mean
latency 183 vs 26 ms at the same throughput), and each worker had its own attempt book, so a
subject's attempts depended on which connection carried them. With ``workers = 0`` the work
runs in one thread of this process (tests, one-off use).

Every job has a time limit (a 503 ``timeout`` answer past it; a job still queued is dropped). A
worker process that dies (a native crash, the OOM killer) costs the requests it held a 503
``worker_lost``; the pool is replaced for the next ones.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

from api import metrics, work
from api.errors import ApiError
from api.settings import Settings
from api.work import Assessed, AssessRequest
from biocap import catalogue
from biocap.policy import AttemptBook, Decision, load_profile
from biocap.records import assessors

T = TypeVar("T")

#: how long start-up waits for every worker process to load its models
WARM_UP_S = 120.0


class Engine:
    """Per-service state: the assessment workers, the attempt book, readiness."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.book = AttemptBook(settings.max_subjects, settings.subject_ttl_s)
        self.modalities: list[str] = sorted(assessors())
        self.ready = False
        self.warm_ms: dict[str, float] = {}
        self.pool: Executor | None = None
        load_profile(settings.profile)  # a bad default profile fails at start, not per request

    def _new_pool(self) -> Executor:
        if self.settings.workers <= 0:
            return ThreadPoolExecutor(1, thread_name_prefix="assess")
        return ProcessPoolExecutor(
            self.settings.workers,
            # spawn: a fresh interpreter per worker, not a fork of a process with threads
            mp_context=multiprocessing.get_context("spawn"),
            initializer=work.start_worker,
            initargs=(os.getpid(),),
        )

    def _executor(self) -> Executor:
        if self.pool is None:
            self.pool = self._new_pool()
        return self.pool

    def close(self) -> None:
        """Drop queued jobs, let running ones finish (each is time-bounded), stop the workers."""
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def _replace(self, broken: Executor) -> None:
        if self.pool is broken:
            self.pool = None
            broken.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` on a worker, answered within ``timeout_s`` (503 ``timeout`` past it)."""
        pool = self._executor()
        try:
            future = pool.submit(fn, *args)
        except BrokenProcessPool:  # broke since the last request: replace it, try once more
            self._replace(pool)
            pool = self._executor()
            future = pool.submit(fn, *args)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.settings.timeout_s)
        except TimeoutError:
            future.cancel()  # dropped if still queued; a running one finishes unobserved
            raise ApiError(
                503,
                "timeout",
                f"no answer within {self.settings.timeout_s:g} s (overloaded or pathological)",
                timeout_s=self.settings.timeout_s,
            ) from None
        except BrokenProcessPool:
            self._replace(pool)
            raise ApiError(
                503,
                "worker_lost",
                "the assessment process died on this request or one beside it; it has been "
                "restarted: send the capture again",
            ) from None

    def warm_up(self) -> None:
        """Start every worker and wait until each has loaded its models; ``/readyz`` answers
        200 after this."""
        pool = self._executor()
        wanted = max(1, self.settings.workers)
        seen: set[int] = set()
        deadline = time.monotonic() + WARM_UP_S
        while len(seen) < wanted and time.monotonic() < deadline:
            # a burst of as many jobs as workers starts them all (they are spawned on demand)
            futures = [pool.submit(work.warm_report) for _ in range(wanted)]
            try:
                for f in futures:
                    pid, self.warm_ms = f.result(timeout=max(1.0, deadline - time.monotonic()))
                    seen.add(pid)
            except TimeoutError:
                break
        self.ready = len(seen) >= wanted

    # ------------------------------------------------------------------ assessment

    async def assess(self, data: bytes, req: AssessRequest) -> dict[str, Any]:
        s = self.settings
        done: Assessed = await self.run(work.assess, data, req, s.limits, s.profile)
        rec = done.record
        decision = done.verdict.decision
        if req.subject is not None:
            profile = load_profile(req.profile or s.profile)
            outcome = self.book.record(
                req.subject,
                req.modality,
                done.position,
                done.quality,
                done.verdict,
                profile.rules(req.modality),
            )
            decision = outcome.decision
            rec["decision"] = str(decision)
            rec["attempts"] = outcome.to_dict()
        rec["message"], rec["action"] = _operator_message(rec, decision, req.lang)
        metrics.assessed(req.modality, done.seconds, str(decision))
        return rec


def _operator_message(rec: dict[str, Any], decision: Decision, lang: str) -> tuple[str, str]:
    """One line for the operator: what happened and what to do next."""
    if decision is Decision.ACCEPT:
        entry = catalogue.lookup("service.accept", lang)
    elif decision is Decision.EXCEPTION:
        entry = catalogue.lookup("service.exception", lang)
        best = rec.get("attempts", {}).get("best_attempt")
        return entry["message"].replace("{best}", str(best)), entry["action"]
    elif rec["reasons"]:
        first = rec["reasons"][0]
        return first["message"], first["action"]
    else:
        entry = catalogue.lookup("service.retake", lang)
    return entry["message"], entry["action"]
