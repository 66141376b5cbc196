"""Slap segmentation, checks and policy on slaps composed from synthetic prints (no real data)."""

from __future__ import annotations

import csv
import dataclasses

import numpy as np
import pytest

from biocap.capture import Capture
from biocap.errors import InvalidParameterError
from biocap.evaluation.slapseg import box_correct
from biocap.finger.slap import SlapKind, assess_slap
from biocap.finger.slap import generate as G
from biocap.policy import Decision, load_profile
from biocap.policy.slap import decide_slap, parse_declared

#: a plain style: no missing finger, nothing at the edge, no touching, no rotation past 30
PLAIN = dataclasses.replace(
    G.DEV_STYLE, p_missing=0.0, p_edge=0.0, p_touching=0.0, p_over_rotated=0.0, p_smudge=0.0
)


@pytest.fixture(scope="module")
def sources() -> list[G.PrintSource]:
    return G.synthetic_sources(10, seed=40)


def _slap(sources, kind, seed, style=PLAIN, **kw) -> G.Slap:
    rng = np.random.default_rng(seed)
    return G.generate_slap(kind, G.pick_prints(sources, rng, 6), rng, style, **kw)


def _assess(slap: G.Slap, kind=None):
    return assess_slap(Capture(slap.image, None, 500.0, "caller"), kind or slap.truth.kind)


def test_generator_writes_slapseg_csv(tmp_path, sources):
    truths = G.generate_set(tmp_path, sources, 3, seed=5, style=PLAIN)
    with (tmp_path / "ground_truth.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    header = ["filename", "frgp", "tlx", "tly", "trx", "try", "blx", "bly", "brx", "bry", "theta"]
    assert list(rows[0]) == header
    assert len(rows) == sum(len(t.fingers) for t in truths) >= 9
    assert {r["frgp"] for r in rows} >= {"2", "5", "7", "10", "11", "12"}
    assert all((tmp_path / t.filename).is_file() for t in truths)


def test_box_rule():
    box = np.array([[0, 0], [100, 0], [0, 200], [100, 200]], float)
    assert box_correct(box, box)
    assert box_correct(box * 1.05, box)  # a slightly larger box keeps the whole finger
    assert not box_correct(box + np.array([0, 30]), box)  # keeps 85 %
    assert not box_correct(box + np.array([150, 0]), box)  # beside it


def test_fingers_boxed_and_named(sources):
    hits = total = 0
    for seed, kind in enumerate(["right", "left", "thumbs"] * 3):
        slap = _slap(sources, kind, seed)
        a = _assess(slap)
        by_pos = {f.position: f for f in a.fingers}
        for t in slap.truth.fingers:
            total += 1
            f = by_pos.get(t.frgp)
            hits += f is not None and box_correct(f.segment.corners, np.array(t.corners))
        assert all(0 <= f.assessment.quality <= 100 for f in a.fingers)
    assert hits / total >= 0.8, f"{hits}/{total} fingers boxed with the right position"


def test_missing_finger_is_named(sources):
    slap = _slap(sources, "right", 3, missing={4: "absent"})
    a = _assess(slap)
    assert 4 in a.missing
    codes = {(d.code, d.evidence.get("position")) for d in a.defects}
    assert ("finger.missing", 4.0) in codes


def test_over_rotated_slap(sources):
    style = dataclasses.replace(PLAIN, p_over_rotated=1.0, over_rotation_deg=(40.0, 44.0))
    a = _assess(_slap(sources, "left", 7, style))
    assert any(d.code == "slap.rotated" for d in a.defects)


def test_declared_amputation_is_an_exception(sources):
    slap = _slap(sources, "right", 11, missing={5: "absent"})
    a = _assess(slap)
    profile = load_profile("default")
    plain = decide_slap(a, profile)
    assert plain.decision is Decision.RETAKE and "finger.missing:5" in plain.reasons
    declared = decide_slap(a, profile, parse_declared("5:amputated"))
    if declared.decision is Decision.RETAKE:  # only if a finger itself needs a retake
        assert all(not r.startswith("finger.missing") for r in declared.reasons)
    else:
        assert declared.decision is Decision.EXCEPTION
        assert declared.declared == {5: "XX"}
    wrong = decide_slap(a, profile, parse_declared("3:bandaged"))
    assert "slap.declared_finger_present:3" in wrong.reasons


def test_parse_declared():
    assert parse_declared("4:amputated, 5:UP,6") == {4: "XX", 5: "UP", 6: "XX"}
    assert parse_declared(None) == {}
    for bad in ("x:amputated", "4:lost", "13:XX"):
        with pytest.raises(InvalidParameterError):
            parse_declared(bad)


def test_blank_and_tiny_images_do_not_crash():
    blank = assess_slap(
        Capture(np.full((900, 1500), 230, np.uint8), None, 500.0, "caller"), "right"
    )
    assert blank.fingers == [] and set(blank.missing) == {2, 3, 4, 5}
    tiny = assess_slap(Capture(np.full((50, 50), 230, np.uint8), None, 500.0, "caller"), "left")
    assert tiny.failure_reason is not None
    assert decide_slap(tiny, load_profile()).decision is Decision.RETAKE


def test_1000_ppi_slap_is_boxed_in_its_own_pixels(sources):
    slap = _slap(sources, "thumbs", 2, ppi=1000)
    a = assess_slap(Capture(slap.image, None, 1000.0, "caller"), SlapKind.THUMBS)
    assert a.scale == 2.0
    by_pos = {f.position: f for f in a.fingers}
    hits = [
        box_correct(np.array(by_pos[t.frgp].box(a.scale)["corners"]), np.array(t.corners))
        for t in slap.truth.fingers
        if t.frgp in by_pos
    ]
    assert hits and all(hits)


@pytest.mark.shared_data
def test_sequence_check_tells_the_same_hand_from_another(shared_data):
    """Four FVC fingers composed into a slap, their other impressions into a second slap: one
    hand captured twice; four other fingers: not."""
    from biocap.finger.slap import sequence
    from biocap.io import read

    folder = shared_data / "finger" / "fvc2002_db1_b"

    def prints(names):
        return [G.prepare_print(read(folder / f"{n}.tif").grey(), n[:3], n) for n in names]

    def templates(names, seed):
        slap = G.generate_slap("right", prints(names), np.random.default_rng(seed), PLAIN)
        a = assess_slap(Capture(slap.image, None, 500.0, "caller"), "right", templates=True)
        return {f.position: f.template for f in a.fingers}

    first = templates(["101_1", "102_1", "103_1", "104_1"], 1)
    again = templates(["101_3", "102_3", "103_3", "104_3"], 2)
    other = templates(["105_1", "106_1", "107_1", "108_1"], 3)
    assert all(t is not None and t.shape[1] == 3 for t in first.values())
    same = sequence.check({"right": first, "left": again})
    assert [f.code for f in same] == [sequence.SAME_HAND]
    assert len(same[0].pairs) >= sequence.HAND_PAIRS
    assert sequence.check({"right": first, "left": other}) == []
