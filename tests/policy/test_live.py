"""Auto-capture: a still run of accepted frames, the spread, the time-out, what is kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from biocap.errors import InvalidParameterError
from biocap.policy import AutoCapture, Decision, StreamRules, load_profile, profile_names

A, R = Decision.ACCEPT, Decision.RETAKE


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _feed(ac: AutoCapture, frames: list[tuple[int, Decision]], clock: Clock | None = None):
    out = []
    for seq, (quality, decision) in enumerate(frames, 1):
        if clock:
            clock.now += 0.04
        out.append(ac.observe(seq, quality, decision))
        assert len(ac.keep) <= 2  # the caller never holds more than two frames' pixels
    return out


def test_n_accepted_frames_within_the_spread_are_captured() -> None:
    ac = AutoCapture(StreamRules(frames=3, max_quality_spread=10))
    out = _feed(ac, [(60, A), (70, A), (65, A)])
    assert out[:2] == [None, None]
    kept = out[2]
    assert kept is not None and kept.trigger == "stable"
    assert (kept.seq, kept.quality) == (2, 70)  # the best of the run
    assert ac.observe(4, 90, A) is None  # one capture, until reset
    ac.reset()
    assert ac.started is None and ac.run == 0 and not ac.keep


def test_a_retake_breaks_the_run() -> None:
    ac = AutoCapture(StreamRules(frames=3))
    out = _feed(ac, [(80, A), (80, A), (20, R), (80, A), (80, A)])
    assert out == [None] * 5 and ac.run == 2
    assert ac.observe(6, 80, A).seq == 4  # the earliest of equals


def test_a_jump_in_quality_restarts_the_run_from_the_frames_it_fits() -> None:
    ac = AutoCapture(StreamRules(frames=3, max_quality_spread=5))
    out = _feed(ac, [(50, A), (52, A), (70, A), (72, A)])
    assert out == [None] * 4 and ac.run == 2  # 50 and 52 fell out: 70 is not within 5 of them
    kept = ac.observe(5, 71, A)
    assert kept is not None and kept.seq == 4 and kept.quality == 72


def test_kept_frame_is_within_the_spread_of_the_best_even_when_its_pixels_went() -> None:
    """Only two frames' pixels are held: when the run's best falls out, the newest stands in."""
    ac = AutoCapture(StreamRules(frames=4, max_quality_spread=5))
    out = _feed(ac, [(70, A), (66, A), (65, A), (64, A), (65, A)])
    # 64 pushed 70 out, and 70 was the frame held; 66 (frame 2) was never held
    kept = out[-1]
    assert kept is not None and (kept.seq, kept.quality) == (5, 65)  # 64 stood in, 65 beat it
    assert 66 - kept.quality <= 5  # never further below the run's best than the spread


def test_time_out_keeps_the_best_frame_seen() -> None:
    clock = Clock()
    ac = AutoCapture(StreamRules(frames=5, timeout_s=1.0), clock)
    assert ac.remaining_s() is None and ac.expired() is None  # the clock starts on a frame
    _feed(ac, [(30, R), (55, A), (40, R), (255, R)], clock)
    assert 0 < ac.remaining_s() <= 1.0
    clock.now += 1.0
    kept = ac.expired()
    assert kept is not None and kept.trigger == "timeout"
    assert (kept.seq, kept.decision) == (2, A)  # accepted beats a higher retake or 255
    assert ac.expired() is None and ac.remaining_s() is None


def test_time_out_is_also_seen_on_a_frame() -> None:
    clock = Clock()
    ac = AutoCapture(StreamRules(frames=5, timeout_s=0.1), clock)
    out = _feed(ac, [(30, R), (40, R), (35, R), (20, R)], clock)
    kept = next(k for k in out if k)
    assert kept.trigger == "timeout" and kept.quality == 40


def test_profiles_carry_stream_rules() -> None:
    for name in profile_names():
        for modality in ("finger", "face", "iris"):
            rules = load_profile(name).rules(modality).stream
            assert 1 <= rules.frames <= 10 and rules.timeout_s > 1
    default = load_profile("default")
    assert default.rules("face").stream.frames == 5
    assert (
        load_profile("child").rules("face").stream.timeout_s
        > default.rules("face").stream.timeout_s
    )


@pytest.mark.parametrize(
    "table",
    [
        "frame = 3",  # typo
        "frames = 0",
        "max_quality_spread = 101",
        "timeout_s = 0",
        'frames = "many"',
    ],
)
def test_bad_stream_tables_are_invalid(tmp_path: Path, table: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(f"[finger.stream]\n{table}\n")
    with pytest.raises(InvalidParameterError):
        load_profile(str(path))
