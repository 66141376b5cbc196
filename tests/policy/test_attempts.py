"""Attempt history: accept, retake, exception after N tries, best-of-N, memory bounds."""

from __future__ import annotations

import threading

import pytest

from biocap.assessment import QUALITY_FAILURE
from biocap.policy import AttemptBook, Decision, ModalityRules, Verdict
from biocap.policy import attempts as attempts_mod

RULES = ModalityRules(min_quality=40, max_attempts=3)


class Clock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def _try(book: AttemptBook, quality: int, subject: str = "s1", position: int = 2):
    if quality == QUALITY_FAILURE:
        v = Verdict(Decision.RETAKE, ("finger.not_assessable",))
    elif quality >= RULES.min_quality:
        v = Verdict(Decision.ACCEPT)
    else:
        v = Verdict(Decision.RETAKE, ("finger.low_quality",))
    return book.record(subject, "finger", position, quality, v, RULES)


def test_accept_on_first_good_capture() -> None:
    out = _try(AttemptBook(), 70)
    assert out.decision is Decision.ACCEPT
    assert (out.attempt, out.best_attempt, out.best_quality) == (1, 1, 70)
    assert out.reasons == ()


def test_retake_then_exception_keeps_the_best() -> None:
    book = AttemptBook()
    first = _try(book, 20)
    assert first.decision is Decision.RETAKE and first.reasons == ("finger.low_quality",)
    second = _try(book, 31)
    assert second.decision is Decision.RETAKE and second.best_attempt == 2
    third = _try(book, 25)
    assert third.decision is Decision.EXCEPTION
    assert (third.attempt, third.best_attempt, third.best_quality) == (3, 2, 31)
    assert [a.quality for a in third.attempts] == [20, 31, 25]


def test_accept_after_retakes_is_best() -> None:
    book = AttemptBook()
    _try(book, 20)
    out = _try(book, 45)
    assert out.decision is Decision.ACCEPT and out.best_attempt == 2


def test_unassessable_ranks_below_any_quality() -> None:
    book = AttemptBook()
    _try(book, 10)
    _try(book, QUALITY_FAILURE)
    out = _try(book, QUALITY_FAILURE)
    assert out.decision is Decision.EXCEPTION and out.best_attempt == 1


def test_positions_and_subjects_are_separate() -> None:
    book = AttemptBook()
    _try(book, 20, position=2)
    _try(book, 20, position=2)
    other_finger = _try(book, 20, position=3)
    other_subject = _try(book, 20, subject="s2", position=2)
    assert other_finger.attempt == 1 and other_subject.attempt == 1
    state = book.state("s1")
    assert state is not None
    assert {(s["position"], len(s["attempts"])) for s in state["series"]} == {("2", 2), ("3", 1)}


def test_state_and_forget() -> None:
    book = AttemptBook()
    assert book.state("nobody") is None
    _try(book, 50)
    state = book.state("s1")
    assert state is not None and state["series"][0]["decision"] == "accept"
    assert "pixels" not in repr(state)
    assert book.forget("s1") is True
    assert book.forget("s1") is False
    assert book.state("s1") is None


def test_expiry() -> None:
    clock = Clock()
    book = AttemptBook(ttl_s=60, clock=clock)
    _try(book, 20)
    clock.t += 59
    assert _try(book, 20).attempt == 2  # touched again: the ttl restarts
    clock.t += 61
    assert book.state("s1") is None
    assert _try(book, 20).attempt == 1


def test_lru_eviction_bounds_subjects() -> None:
    book = AttemptBook(max_subjects=3)
    for s in ("a", "b", "c"):
        _try(book, 20, subject=s)
    _try(book, 20, subject="a")  # a is now the most recent
    _try(book, 20, subject="d")  # evicts b
    assert len(book) == 3
    assert book.state("b") is None
    assert book.state("a") is not None


def test_attempts_kept_are_bounded_and_keep_the_best() -> None:
    book = AttemptBook()
    rules = ModalityRules(min_quality=99, max_attempts=1000)
    for i in range(100):
        q = 90 if i == 3 else 10
        v = Verdict(Decision.RETAKE, ("finger.low_quality",))
        out = book.record("s", "finger", 1, q, v, rules)
    assert len(out.attempts) == attempts_mod.MAX_ATTEMPTS_KEPT
    assert out.attempt == 100 and out.best_attempt == 4 and out.best_quality == 90


def test_series_per_subject_are_bounded() -> None:
    book = AttemptBook()
    for p in range(attempts_mod.MAX_SERIES_PER_SUBJECT + 10):
        _try(book, 20, position=p)
    state = book.state("s1")
    assert state is not None
    assert len(state["series"]) == attempts_mod.MAX_SERIES_PER_SUBJECT


def test_concurrent_records_count_every_attempt() -> None:
    book = AttemptBook()
    rules = ModalityRules(max_attempts=10_000)

    def work() -> None:
        for _ in range(200):
            book.record("s", "finger", 1, 10, Verdict(Decision.RETAKE), rules)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out = book.record("s", "finger", 1, 10, Verdict(Decision.RETAKE), rules)
    assert out.attempt == 801


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        AttemptBook(max_subjects=0)
    with pytest.raises(ValueError):
        AttemptBook(ttl_s=0)


def test_outcome_to_dict() -> None:
    d = _try(AttemptBook(), 20).to_dict()
    assert d["decision"] == "retake" and d["attempts"][0]["quality"] == 20
    assert d["max_attempts"] == 3


def test_kept_data_goes_with_its_subject() -> None:
    clock = Clock()
    book = AttemptBook(max_subjects=2, ttl_s=60.0, clock=clock)
    book.keep("nobody", "slap.templates", {"right": {}})  # no attempts: nothing is kept
    assert book.kept("nobody", "slap.templates") is None
    _try(book, 80, subject="a")
    book.keep("a", "slap.templates", {"right": {2: [[1.0, 2.0, 0.5]]}})
    assert book.kept("a", "slap.templates") == {"right": {2: [[1.0, 2.0, 0.5]]}}
    clock.t += 61.0  # idle past the ttl
    assert book.kept("a", "slap.templates") is None
    _try(book, 80, subject="b")
    book.keep("b", "k", 1)
    _try(book, 80, subject="c")
    _try(book, 80, subject="d")  # "b" is evicted as the least recently used
    assert book.kept("b", "k") is None
    book.keep("d", "k", 2)
    assert book.forget("d") and book.kept("d", "k") is None
