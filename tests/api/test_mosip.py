"""MOSIP BioSDK checkQuality: base64 ISO/IEC 19794 records in a BIR, scores out."""

from __future__ import annotations

import base64
import json

from api.schemas import MosipResponse
from biocap.finger.synthetic import fingerprint
from biocap.io.iso19794 import RecordImage, build
from tests.api.conftest import error_of
from tests.io.images import encode


def _segment(record: bytes, kind: str, subtype: list[str]) -> dict:
    return {
        "version": {"major": 1, "minor": 1},
        "cbeffversion": {"major": 1, "minor": 1},
        "birInfo": {"integrity": False},
        "bdbInfo": {
            "format": {"organization": "Mosip", "type": "7"},
            "type": [kind],
            "subtype": subtype,
        },
        "bdb": base64.urlsafe_b64encode(record).decode().rstrip("="),
    }


def _envelope(segments: list[dict], modalities: list[str]) -> dict:
    dto = {"sample": {"segments": segments}, "modalitiesToCheck": modalities, "flags": {}}
    return {"version": "1.0", "request": base64.b64encode(json.dumps(dto).encode()).decode()}


def _finger_record(seed: int, position: int = 0) -> bytes:
    pixels = fingerprint(seed=seed)
    h, w = pixels.shape
    jp2 = encode(pixels, "JPEG2000", irreversible=False)
    return build("finger", [RecordImage(jp2, w, h, position=position)])


def test_check_quality_finger(client) -> None:
    segs = [
        _segment(_finger_record(1), "Finger", ["Left", "IndexFinger"]),
        _segment(_finger_record(2, position=2), "Finger", ["Right", "IndexFinger"]),
    ]
    r = client.post("/v1/mosip/check-quality", json=_envelope(segs, ["FINGER"]))
    assert r.status_code == 200, r.text
    body = r.json()
    MosipResponse.model_validate(body)
    inner = body["response"]
    assert inner["statusCode"] == 200
    score = inner["response"]["scores"]["FINGER"]
    assert 0 < score["score"] <= 100
    info = score["analyticsInfo"]
    assert info["segment0.position"] == "7"  # from the BIR subtype: left index
    assert info["segment1.position"] == "2"  # from the record itself
    q = (int(info["segment0.quality"]) + int(info["segment1.quality"])) / 2
    assert score["score"] == round(q, 2)
    assert all(isinstance(v, str) for v in info.values())


def test_decoded_request_object_and_alias_path(client) -> None:
    dto = {
        "sample": {"segments": [_segment(_finger_record(3), "Finger", ["Left", "Thumb"])]},
        "modalitiesToCheck": ["Finger"],
    }
    r = client.post("/biosdk-service/check-quality", json={"version": "1.0", "request": dto})
    assert r.status_code == 200, r.text
    assert "Finger" in r.json()["response"]["response"]["scores"]


def test_unreadable_record_is_reported_inside_the_answer(client) -> None:
    segs = [_segment(b"FIR\x00020\x00" + bytes(10), "Finger", ["Left", "Thumb"])]
    r = client.post("/v1/mosip/check-quality", json=_envelope(segs, ["FINGER"]))
    assert r.status_code == 200
    inner = r.json()["response"]
    assert inner["statusCode"] == 401
    (err,) = inner["response"]["scores"]["FINGER"]["errors"]
    assert err["errorCode"] == "corrupt_image"


def test_broken_envelopes_are_400(client) -> None:
    cases = [
        b"not json",
        json.dumps({"version": "1"}).encode(),
        json.dumps({"request": "!!!not base64!!!"}).encode(),
        json.dumps({"request": base64.b64encode(b"[1, 2]").decode()}).encode(),
        json.dumps({"request": {"sample": {"segments": "x"}}}).encode(),
    ]
    for body in cases:
        r = client.post(
            "/v1/mosip/check-quality", content=body, headers={"Content-Type": "application/json"}
        )
        assert r.status_code == 400, (body, r.text)
        assert error_of(r)["code"] in {"invalid_request", "invalid_base64"}
