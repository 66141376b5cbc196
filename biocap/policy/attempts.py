"""Attempt history per subject and position: accept, retake, or stop with an exception.

A worn or scarred finger can stay below threshold however often it is captured; asking a
citizen for a fifth try helps no one. After ``rules.max_attempts`` retakes the book answers
``exception`` and names the best attempt so the station keeps that one and moves on.

Only numbers and codes are kept (quality, decision, reason codes, a timestamp), never pixels,
and a subject is forgotten when idle for ``ttl_s``, when the book is full (least recently used
first) or on :meth:`AttemptBook.forget`. Pure and thread-safe; no web imports.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from biocap.assessment import QUALITY_FAILURE

from .decide import Decision, Verdict
from .profiles import ModalityRules

#: attempts kept per (modality, position); older ones are dropped (the best is always kept)
MAX_ATTEMPTS_KEPT = 32
#: distinct (modality, position) series per subject: ten fingers, two irises, a face, spares
MAX_SERIES_PER_SUBJECT = 32


@dataclass(frozen=True, slots=True)
class Attempt:
    """What is remembered of one capture."""

    number: int
    quality: int
    decision: Decision  # the single-capture verdict (accept / retake)
    reasons: tuple[str, ...]
    at: float

    def to_dict(self) -> dict[str, object]:
        return {
            "attempt": self.number,
            "quality": self.quality,
            "decision": str(self.decision),
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True, slots=True)
class AttemptOutcome:
    """The decision for the latest attempt in the light of the earlier ones."""

    decision: Decision
    reasons: tuple[str, ...]
    attempt: int
    best_attempt: int
    best_quality: int
    max_attempts: int
    attempts: tuple[Attempt, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "decision": str(self.decision),
            "reasons": list(self.reasons),
            "attempt": self.attempt,
            "max_attempts": self.max_attempts,
            "best_attempt": self.best_attempt,
            "best_quality": self.best_quality,
            "attempts": [a.to_dict() for a in self.attempts],
        }


def _rank(a: Attempt) -> tuple[int, int, int]:
    """Best = accepted first, then highest quality (255 = not assessable ranks lowest),
    then the earliest (the citizen's first good print is as good as a later equal one)."""
    quality = -1 if a.quality == QUALITY_FAILURE else a.quality
    return (a.decision is Decision.ACCEPT, quality, -a.number)


def best_of(attempts: tuple[Attempt, ...] | list[Attempt]) -> Attempt:
    return max(attempts, key=_rank)


class _Series:
    __slots__ = ("attempts", "count", "last")

    def __init__(self) -> None:
        self.attempts: list[Attempt] = []
        self.count = 0
        self.last: AttemptOutcome | None = None


SeriesKey = tuple[str, str]  # (modality, position label)


class AttemptBook:
    """Bounded, expiring memory of attempts, keyed by (subject, modality, position).

    Parameters
    ----------
    max_subjects:
        Subjects kept at once; the least recently used is forgotten beyond it.
    ttl_s:
        A subject idle this long is forgotten (an enrolment takes minutes, not hours).
    clock:
        Seconds, monotonic; injectable for tests.
    """

    def __init__(
        self,
        max_subjects: int = 10_000,
        ttl_s: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_subjects < 1 or not ttl_s > 0:
            raise ValueError("max_subjects >= 1 and ttl_s > 0")
        self.max_subjects = max_subjects
        self.ttl_s = ttl_s
        self.clock = clock
        self._subjects: OrderedDict[str, tuple[float, dict[SeriesKey, _Series]]] = OrderedDict()
        #: small derived data kept per subject (e.g. slap minutiae templates), never pixels
        self._kept: dict[str, dict[str, object]] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._subjects)

    def record(
        self,
        subject: str,
        modality: str,
        position: int | str | None,
        quality: int,
        verdict: Verdict,
        rules: ModalityRules,
    ) -> AttemptOutcome:
        """Remember one attempt and decide: ``accept`` when this capture passes, ``exception``
        when it fails and the series has reached ``rules.max_attempts``, else ``retake``."""
        now = self.clock()
        with self._lock:
            self._expire(now)
            series = self._series(subject, (modality, _label(position)), now)
            series.count += 1
            attempt = Attempt(series.count, int(quality), verdict.decision, verdict.reasons, now)
            series.attempts.append(attempt)
            if len(series.attempts) > MAX_ATTEMPTS_KEPT:  # drop the oldest, never the best
                keep = best_of(series.attempts)
                series.attempts.remove(next(a for a in series.attempts if a is not keep))
            best = best_of(series.attempts)
            if verdict.decision is Decision.ACCEPT:
                decision = Decision.ACCEPT
            elif series.count >= rules.max_attempts:
                decision = Decision.EXCEPTION
            else:
                decision = Decision.RETAKE
            outcome = AttemptOutcome(
                decision=decision,
                reasons=verdict.reasons,
                attempt=series.count,
                best_attempt=best.number,
                best_quality=best.quality,
                max_attempts=rules.max_attempts,
                attempts=tuple(series.attempts),
            )
            series.last = outcome
            return outcome

    def state(self, subject: str) -> dict[str, object] | None:
        """What is remembered of ``subject`` (None when nothing is): per series, the attempts,
        the best one and the last decision."""
        with self._lock:
            self._expire(self.clock())
            entry = self._subjects.get(subject)
            if entry is None:
                return None
            touched, book = entry
            series = []
            for (modality, position), s in book.items():
                best = best_of(s.attempts)
                series.append(
                    {
                        "modality": modality,
                        "position": position,
                        "attempts": [a.to_dict() for a in s.attempts],
                        "best_attempt": best.number,
                        "best_quality": best.quality,
                        "decision": str(s.last.decision) if s.last else None,
                    }
                )
            idle = self.clock() - touched
            return {
                "subject": subject,
                "series": series,
                "expires_in_s": round(max(0.0, self.ttl_s - idle), 1),
            }

    def forget(self, subject: str) -> bool:
        """Drop everything about ``subject``; True when something was dropped."""
        with self._lock:
            self._kept.pop(subject, None)
            return self._subjects.pop(subject, None) is not None

    def keep(self, subject: str, key: str, value: object) -> None:
        """Keep ``value`` (small, no pixels) with a subject that has attempts; it goes when
        the subject does (idle, evicted or forgotten)."""
        with self._lock:
            if subject in self._subjects:
                self._kept.setdefault(subject, {})[key] = value

    def kept(self, subject: str, key: str) -> object | None:
        """What :meth:`keep` left for ``subject`` under ``key`` (None when nothing)."""
        with self._lock:
            self._expire(self.clock())
            return self._kept.get(subject, {}).get(key)

    def _series(self, subject: str, key: SeriesKey, now: float) -> _Series:
        entry = self._subjects.pop(subject, None)
        book = entry[1] if entry else {}
        series = book.get(key)
        if series is None:
            if len(book) >= MAX_SERIES_PER_SUBJECT:
                oldest = min(book, key=lambda k: book[k].attempts[-1].at)
                del book[oldest]
            series = book[key] = _Series()
        self._subjects[subject] = (now, book)  # most recently used goes last
        while len(self._subjects) > self.max_subjects:
            self._kept.pop(self._subjects.popitem(last=False)[0], None)
        return series

    def _expire(self, now: float) -> None:
        while self._subjects:
            subject, (touched, _) = next(iter(self._subjects.items()))
            if now - touched < self.ttl_s:
                break
            del self._subjects[subject]
            self._kept.pop(subject, None)


def _label(position: int | str | None) -> str:
    return "" if position is None else str(position)
