"""One capture's verdict: failures, blocking defects, warnings and the quality bar."""

from __future__ import annotations

from biocap.assessment import QUALITY_FAILURE, Assessment, Defect, Severity
from biocap.policy import Decision, ModalityRules, decide

RULES = ModalityRules(min_quality=40, ignore=frozenset({"finger.too_light"}))


def _a(quality: int, *defects: Defect) -> Assessment:
    return Assessment("finger", quality, defects=list(defects))


def test_good_capture_is_accepted_with_no_reasons() -> None:
    v = decide(_a(80), RULES)
    assert v.decision is Decision.ACCEPT
    assert v.reasons == ()


def test_quality_below_the_bar_is_a_retake() -> None:
    assert decide(_a(39), RULES).reasons == ("finger.low_quality",)
    assert decide(_a(40), RULES).decision is Decision.ACCEPT


def test_unassessable_capture_is_a_retake() -> None:
    a = Assessment("finger", QUALITY_FAILURE, failure_reason="image too small")
    v = decide(a, RULES)
    assert (v.decision, v.reasons) == (Decision.RETAKE, ("finger.not_assessable",))


def test_error_defects_block_warnings_and_ignored_codes_do_not() -> None:
    dark = Defect("finger.too_dark", Severity.ERROR)
    worn = Defect("finger.worn", Severity.WARNING)
    light = Defect("finger.too_light", Severity.ERROR)
    assert decide(_a(90, dark, worn), RULES).reasons == ("finger.too_dark",)
    assert decide(_a(90, worn, light), RULES).decision is Decision.ACCEPT


def test_verdict_serialises_to_plain_strings() -> None:
    v = decide(_a(10), RULES)
    assert v.to_dict() == {"decision": "retake", "reasons": ["finger.low_quality"]}
