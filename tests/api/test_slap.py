"""``POST /v1/finger/slap/assess`` through the in-process app (slaps from synthetic prints)."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from biocap.finger.slap import generate as G
from biocap.io import iso19794

from .conftest import error_of, png

URL = "/v1/finger/slap/assess"
PLAIN = dataclasses.replace(G.DEV_STYLE, p_missing=0.0, p_edge=0.0, p_over_rotated=0.0)


@pytest.fixture(scope="module")
def slaps() -> dict[str, bytes]:
    sources = G.synthetic_sources(8, seed=60)
    out = {}
    for i, kind in enumerate(("right", "left", "thumbs")):
        rng = np.random.default_rng(100 + i)
        out[kind] = png(G.generate_slap(kind, G.pick_prints(sources, rng, 6), rng, PLAIN).image)
    return out


def test_raw_slap(client, slaps):
    r = client.post(URL, params={"slap": "right", "ppi": 500, "lang": "vi"}, content=slaps["right"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["slap"] == "right" and body["position"] == 13
    assert body["decision"] in {"accept", "retake"}
    positions = [f["position"] for f in body["fingers"]]
    assert positions == sorted(positions) and set(positions) <= {2, 3, 4, 5}
    for f in body["fingers"]:
        assert len(f["box"]["corners"]) == 4 and 0 <= f["quality"] <= 100
        assert f["name"].startswith("ngón")


def test_whole_tenprint_in_one_request(client, slaps):
    files = {k: (f"{k}.png", v, "image/png") for k, v in slaps.items()}
    r = client.post(URL, files=files, params={"missing": "5:amputated"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["slap"] for s in body["slaps"]] == ["right", "left", "thumbs"]
    assert body["slaps"][0]["declared"] == [{"position": 5, "amp": "XX"}]


def test_swapped_hands_are_reported(client, slaps):
    files = {"right": ("r.png", slaps["left"], "image/png"),
             "left": ("l.png", slaps["right"], "image/png")}  # fmt: skip
    body = client.post(URL, files=files).json()
    for s in body["slaps"]:
        assert s["decision"] == "retake"
        assert any(r["code"] in {"slap.hands_swapped", "slap.wrong_hand"} for r in s["reasons"])


def test_iso_record_with_a_slap_and_a_finger(client, slaps):
    from biocap.finger.synthetic import fingerprint

    single = png(fingerprint(seed=2))
    record = iso19794.build("finger", [
        iso19794.RecordImage(slaps["thumbs"], 1, 1, position=15),
        iso19794.RecordImage(single, 380, 400, position=7),
    ])  # fmt: skip
    r = client.post(URL, content=record)
    assert r.status_code == 200, r.text
    body = r.json()
    assert [s["slap"] for s in body["slaps"]] == ["thumbs"]
    assert [f["position"] for f in body["fingers"]] == [7]


def test_attempts_with_a_subject(client, slaps):
    for n in (1, 2):
        r = client.post(
            URL, params={"slap": "left", "subject": "slap-subject"}, content=slaps["left"]
        )
        assert r.json()["attempts"]["attempt"] == n
    assert client.delete("/v1/subjects/slap-subject").json()["forgotten"]


@pytest.mark.parametrize(
    ("params", "body", "status", "code"),
    [
        ({}, b"\x89PNG\r\n\x1a\n" + b"0" * 40, 400, "invalid_parameter"),
        ({"slap": "right"}, b"", 400, "empty_body"),
        ({"slap": "right"}, b"not an image at all", 415, "unsupported_format"),
        ({"slap": "middle"}, b"x", 400, "invalid_parameter"),
        ({"slap": "right", "missing": "4:lost"}, b"x", 400, "invalid_parameter"),
    ],
)
def test_bad_requests(client, params, body, status, code):
    r = client.post(URL, params=params, content=body)
    assert r.status_code == status, r.text
    assert error_of(r)["code"] == code


@pytest.fixture(scope="module")
def same_hand(request) -> tuple[bytes, bytes]:
    """A right slap of four FVC fingers and a second slap of their other impressions."""
    from biocap.io import read
    from tests.conftest import shared_data_root

    folder = shared_data_root() / "finger" / "fvc2002_db1_b"
    if not folder.is_dir():
        pytest.skip(f"real test images not found at {folder}")

    def slap(names, seed):
        prints = [G.prepare_print(read(folder / f"{n}.tif").grey(), n[:3], n) for n in names]
        return png(G.generate_slap("right", prints, np.random.default_rng(seed), PLAIN).image)

    return slap(["101_1", "102_1", "103_1", "104_1"], 1), slap(
        ["101_4", "102_4", "103_4", "104_4"], 2
    )


@pytest.mark.shared_data
def test_same_hand_twice_in_one_request(client, same_hand):
    files = {"right": ("r.png", same_hand[0], "image/png"),
             "left": ("l.png", same_hand[1], "image/png")}  # fmt: skip
    body = client.post(URL, files=files).json()
    for s in body["slaps"]:
        assert s["decision"] == "retake"
        assert s["reasons"][0]["code"] == "slap.same_hand_twice"
        assert s["sequence"][0]["slaps"] == ["left", "right"]


@pytest.mark.shared_data
def test_same_hand_twice_through_the_attempt_book(client, same_hand):
    subject = "slap-sequence"
    first = client.post(URL, params={"slap": "right", "subject": subject}, content=same_hand[0])
    assert all(r["code"] != "slap.same_hand_twice" for r in first.json()["reasons"])
    second = client.post(URL, params={"slap": "left", "subject": subject}, content=same_hand[1])
    body = second.json()
    assert body["decision"] == "retake"
    assert "slap.same_hand_twice" in [r["code"] for r in body["reasons"]]
    assert client.delete(f"/v1/subjects/{subject}").json()["forgotten"]
    # forgotten with the subject: the same slap again finds nothing to compare with
    again = client.post(URL, params={"slap": "left", "subject": subject}, content=same_hand[1])
    assert "slap.same_hand_twice" not in [r["code"] for r in again.json()["reasons"]]
    client.delete(f"/v1/subjects/{subject}")


def test_finger_route_scores_a_multi_finger_record_finger_by_finger(client, slaps):
    from biocap.finger.synthetic import fingerprint

    record = iso19794.build("finger", [
        iso19794.RecordImage(png(fingerprint(seed=2)), 380, 400, position=2),
        iso19794.RecordImage(png(fingerprint(seed=3)), 380, 400, position=3),
        iso19794.RecordImage(slaps["thumbs"], 1, 1, position=15),
    ])  # fmt: skip
    r = client.post("/v1/finger/assess", content=record)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["position"] == 2  # the first image, as before
    fingers = body["fingers"]
    assert [f["position"] for f in fingers] == [2, 3, 15]
    assert all(0 <= f["quality"] <= 100 for f in fingers[:2])
    assert fingers[2]["modality"] == "slap" and fingers[2]["slap"] == "thumbs"
    one = client.post("/v1/finger/assess", params={"position": 3}, content=record).json()
    assert one["position"] == 3 and "fingers" not in one
