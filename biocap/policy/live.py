"""Auto-capture from a live stream: keep a frame once the subject is in place and still.

A station streams preview frames; each gets the single-capture verdict (:func:`decide`). One
accepted frame can be luck (a finger rolling across the platen, a face turning through the
frontal pose), so a frame is kept only when ``rules.frames`` consecutive frames were accepted
with qualities within ``rules.max_quality_spread`` points: the subject is there and still. After
``rules.timeout_s`` without such a run the best frame seen is kept, reasons and all, and the
operator decides. Pure and clock-injectable; the caller holds the pixels of the frames named in
:attr:`AutoCapture.keep` (at most two), never more.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

from biocap.assessment import QUALITY_FAILURE

from .decide import Decision
from .profiles import StreamRules


@dataclass(frozen=True, slots=True)
class Seen:
    """What is remembered of one scored frame."""

    seq: int
    quality: int
    decision: Decision

    def rank(self) -> tuple[bool, int, int]:
        """Accepted first, then higher quality (255 = not assessable ranks lowest), then the
        earlier frame."""
        quality = -1 if self.quality == QUALITY_FAILURE else self.quality
        return (self.decision is Decision.ACCEPT, quality, -self.seq)


@dataclass(frozen=True, slots=True)
class Kept:
    """The frame to keep: ``trigger`` is ``stable`` (a still run) or ``timeout``."""

    seq: int
    quality: int
    decision: Decision
    trigger: str


class AutoCapture:
    """Per stream: feed every scored frame to :meth:`observe`; it answers a :class:`Kept` once.

    After that it only counts, until :meth:`reset` starts the next capture.
    """

    def __init__(self, rules: StreamRules, clock: Callable[[], float] = time.monotonic) -> None:
        self.rules = rules
        self.clock = clock
        self.reset()

    def reset(self) -> None:
        self.started: float | None = None
        self.done: Kept | None = None
        self._run: deque[Seen] = deque()
        self._run_best: Seen | None = None  # a frame of the run whose pixels the caller holds
        self._best: Seen | None = None

    @property
    def run(self) -> int:
        """Consecutive accepted frames within the spread so far."""
        return len(self._run)

    @property
    def keep(self) -> set[int]:
        """Frames whose pixels may still be kept: the run's best and the best seen."""
        return {s.seq for s in (self._run_best, self._best) if s is not None}

    def observe(self, seq: int, quality: int, decision: Decision) -> Kept | None:
        if self.done is not None:
            return None
        now = self.clock()
        if self.started is None:
            self.started = now
        seen = Seen(seq, int(quality), decision)
        if self._best is None or seen.rank() > self._best.rank():
            self._best = seen
        if decision is Decision.ACCEPT:
            self._extend(seen)
            if len(self._run) >= self.rules.frames:
                assert self._run_best is not None
                return self._finish(self._run_best, "stable")
        else:
            self._run.clear()
            self._run_best = None
        return self.expired(now)

    def expired(self, now: float | None = None) -> Kept | None:
        """The best frame seen, once ``timeout_s`` has passed since the first frame."""
        if self.done is not None or self.started is None or self._best is None:
            return None
        now = self.clock() if now is None else now
        if now - self.started < self.rules.timeout_s:
            return None
        return self._finish(self._best, "timeout")

    def remaining_s(self) -> float | None:
        """Seconds until :meth:`expired` answers (None before the first frame or when done)."""
        if self.done is not None or self.started is None:
            return None
        return max(0.0, self.started + self.rules.timeout_s - self.clock())

    def _extend(self, seen: Seen) -> None:
        """Append, then drop the oldest frames until the run is within the spread again."""
        run = self._run
        run.append(seen)
        while max(s.quality for s in run) - min(s.quality for s in run) > (
            self.rules.max_quality_spread
        ):
            run.popleft()
        if self._run_best not in run:
            # its pixels are gone with it: the new frame stands in, and every frame left in the
            # run is within the spread of it, so the kept one is at most that far below the best
            self._run_best = seen
        elif seen.quality > self._run_best.quality:
            self._run_best = seen

    def _finish(self, seen: Seen, trigger: str) -> Kept:
        self.done = Kept(seen.seq, seen.quality, seen.decision, trigger)
        self._run.clear()
        return self.done
