"""The one 0-100 component-score mapping every modality's measure registry uses."""

from __future__ import annotations

import math

from biocap.assessment import MeasureSpec


def test_linear_clipped_either_direction() -> None:
    rising = MeasureSpec("a", "", worst=10.0, best=20.0, description="")
    assert [rising.score(x) for x in (0.0, 10.0, 15.0, 20.0, 99.0)] == [0, 0, 50, 100, 100]
    falling = MeasureSpec("b", "deg", worst=20.0, best=0.0, description="")
    assert falling.score(5.0) == 75


def test_two_sided_scores_the_magnitude() -> None:
    yaw = MeasureSpec("yaw", "deg", 20.0, 0.0, "", two_sided=True)
    assert yaw.score(-5.0) == yaw.score(5.0) == 75


def test_plateau_between_best_and_peak() -> None:
    ratio = MeasureSpec("r", "%", 10.0, 20.0, "", peak=70.0, worst_high=80.0)
    assert [ratio.score(x) for x in (15.0, 20.0, 70.0, 75.0, 90.0)] == [50, 100, 100, 50, 0]


def test_no_score_for_reported_only_or_missing_values() -> None:
    assert MeasureSpec("p", "px", 0.0, 0.0, "").score(9.0) is None
    assert MeasureSpec("a", "", 0.0, 1.0, "").score(math.nan) is None
