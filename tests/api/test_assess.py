"""``POST /v1/{modality}/assess``: answers, inputs, attempts, and every refusal's shape."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from api.schemas import AssessResponse
from biocap.finger.synthetic import fingerprint, smudge
from biocap.io import decode
from biocap.io.iso19794 import RecordImage, build
from tests.api.conftest import error_of, make_client, png
from tests.io.images import encode, png_header_only


def test_finger_assess_raw_body(client, finger_png: bytes) -> None:
    r = client.post("/v1/finger/assess?ppi=500&position=2", content=finger_png)
    assert r.status_code == 200, r.text
    body = r.json()
    AssessResponse.model_validate(body)  # the documented shape is the real one
    assert 0 <= body["quality"] <= 100
    assert body["decision"] == "accept"
    assert body["position"] == 2 and body["image"]["ppi"] == 500
    assert "orientation_certainty" in body["measures"]
    assert body["latency_ms"]["total"] >= body["latency_ms"]["assess"] > 0
    assert "quality_map" not in body  # only when asked
    assert r.headers["server-timing"].startswith("app;dur=")


def test_multipart_and_map(client, finger_png: bytes) -> None:
    r = client.post(
        "/v1/finger/assess?map=true", files={"image": ("f.png", finger_png, "image/png")}
    )
    assert r.status_code == 200, r.text
    qmap = r.json()["quality_map"]
    assert qmap["block_px"] > 0 and len(qmap["values"]) > 3
    assert all(0 <= v <= 100 or v == 255 for row in qmap["values"] for v in row)
    preview = r.json()["preview"]  # the decoded image, for browsers that cannot show the format
    assert preview.startswith("data:image/jpeg;base64,")
    img = decode(base64.b64decode(preview.split(",", 1)[1]))
    assert (img.height, img.width) == (r.json()["image"]["height"], r.json()["image"]["width"])


def test_quality_map_blocks_cover_the_decoded_image_at_any_ppi(client, finger_png: bytes) -> None:
    """The map is computed at 500 ppi; its blocks are given in the decoded image's pixels."""
    for ppi in (500, 1000):
        body = client.post(f"/v1/finger/assess?map=true&ppi={ppi}", content=finger_png).json()
        qmap, image = body["quality_map"], body["image"]
        b = qmap["block_px"]
        assert b == 32 * ppi / 500
        rows, cols = len(qmap["values"]), len(qmap["values"][0])
        # the grid covers the image and overshoots it by less than one block
        assert 0 <= rows * b - image["height"] < b + 1 and 0 <= cols * b - image["width"] < b + 1


def test_local_defects_are_in_the_map_labelled_in_the_operators_language(client) -> None:
    smeared = png(smudge(fingerprint(seed=4)))
    for lang, label, place in (("en", "smudge", "core"), ("vi", "vết nhòe", "vùng lõi")):
        r = client.post(f"/v1/finger/assess?ppi=500&map=true&lang={lang}", content=smeared)
        assert r.status_code == 200, r.text
        body = r.json()
        AssessResponse.model_validate(body)
        assert body["decision"] == "retake"
        (defect,) = [d for d in body["defects"] if d["code"] == "finger.smudged_region"]
        assert defect["place"] == "core" and defect["severity"] == "error"
        (region,) = body["quality_map"]["regions"]
        assert region["code"] == "finger.smudged_region"
        assert (region["label"], region["place_label"]) == (label, place)
        assert region["outline"] and len(region["box"]) == 4
    clean = client.post("/v1/finger/assess?ppi=500&map=true", content=png(fingerprint(seed=4)))
    assert clean.json()["quality_map"]["regions"] == []


def test_raw_grey_frame(client) -> None:
    pixels = fingerprint(seed=2)
    h, w = pixels.shape
    r = client.post(f"/v1/finger/assess?width={w}&height={h}&ppi=500", content=pixels.tobytes())
    assert r.status_code == 200, r.text
    assert r.json()["image"]["format"] == "RAW"


def test_iso_record_body(client) -> None:
    pixels = fingerprint(seed=3)
    h, w = pixels.shape
    record = build("finger", [RecordImage(encode(pixels, "PNG"), w, h, position=7)])
    r = client.post("/v1/finger/assess", content=record)
    assert r.status_code == 200, r.text
    assert r.json()["position"] == 7 and r.json()["image"]["ppi"] == 500


def test_not_a_fingerprint_is_a_decision(client, blank_png: bytes) -> None:
    r = client.post("/v1/finger/assess", content=blank_png)
    assert r.status_code == 200
    body = r.json()
    assert body["decision"] == "retake"
    codes = {d["code"] for d in body["defects"]} | {x["code"] for x in body["reasons"]}
    assert "finger.not_a_fingerprint" in codes
    assert body["message"] and body["action"]


def test_attempts_accept_retake_exception(client, blank_png: bytes, finger_png: bytes) -> None:
    url = "/v1/finger/assess?subject=enrol-42&position=3"
    client.delete("/v1/subjects/enrol-42")
    answers = [client.post(url, content=blank_png).json() for _ in range(3)]
    assert [a["decision"] for a in answers] == ["retake", "retake", "exception"]
    assert answers[-1]["attempts"]["attempt"] == 3
    assert "attempt 1 is kept" in answers[-1]["message"] or answers[-1]["attempts"]["best_attempt"]
    state = client.get("/v1/subjects/enrol-42")
    assert state.status_code == 200
    (series,) = state.json()["series"]
    assert series["position"] == "3" and len(series["attempts"]) == 3
    # another finger of the same subject starts its own series and accepts a good print
    good = client.post("/v1/finger/assess?subject=enrol-42&position=4", content=finger_png).json()
    assert good["decision"] == "accept" and good["attempts"]["attempt"] == 1
    gone = client.delete("/v1/subjects/enrol-42")
    assert gone.json() == {"subject": "enrol-42", "forgotten": True}
    missing = client.get("/v1/subjects/enrol-42")
    assert missing.status_code == 404 and error_of(missing)["code"] == "unknown_subject"


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("position=11", "invalid_parameter"),
        ("position=left", "invalid_parameter"),
        ("ppi=0", "invalid_parameter"),
        ("ppi=abc", "invalid_parameter"),
        ("profile=nope", "invalid_parameter"),
        ("profile=../../etc/passwd", "invalid_parameter"),
        ("lang=english", "invalid_parameter"),
    ],
)
def test_bad_parameters_are_400(client, finger_png: bytes, query: str, code: str) -> None:
    r = client.post(f"/v1/finger/assess?{query}", content=finger_png)
    assert r.status_code == 400, r.text
    assert error_of(r)["code"] == code


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"", 400, "empty_body"),
        (b"hello, not an image", 415, "unsupported_format"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), 422, "corrupt_image"),
        (png_header_only(30_000, 30_000), 413, "decompression_bomb"),
        (png(np.zeros((8, 8), np.uint8)), 422, "image_too_small"),
    ],
)
def test_bad_images_get_clear_4xx(client, body: bytes, status: int, code: str) -> None:
    r = client.post("/v1/finger/assess", content=body)
    assert r.status_code == status, r.text
    assert error_of(r)["code"] == code
    assert r.headers["x-error-code"] == code


def test_body_limit_is_413_before_reading_it_all(finger_png: bytes) -> None:
    with make_client(max_body_bytes=1000) as c:
        r = c.post("/v1/finger/assess", content=finger_png)
        assert r.status_code == 413 and error_of(r)["code"] == "image_too_large"

        def chunks():  # no Content-Length: the limit applies while streaming
            for i in range(0, len(finger_png), 500):
                yield finger_png[i : i + 500]

        r = c.post("/v1/finger/assess", content=chunks())
        assert r.status_code == 413 and error_of(r)["code"] == "image_too_large"


def test_multipart_without_file_is_400(client) -> None:
    r = client.post("/v1/finger/assess", files={"note": (None, "no file")})
    assert r.status_code == 400 and error_of(r)["code"] == "empty_body"


def test_time_limit_answers_503(finger_png: bytes) -> None:
    with make_client(timeout_s=0.0005) as c:
        r = c.post("/v1/finger/assess", content=finger_png)
        assert r.status_code == 503 and error_of(r)["code"] == "timeout"
        assert c.get("/healthz").status_code == 200  # the worker is not stuck


def test_api_key(finger_png: bytes) -> None:
    with make_client(api_key="s3cret") as c:
        r = c.post("/v1/finger/assess", content=finger_png)
        assert r.status_code == 401 and error_of(r)["code"] == "unauthorized"
        r = c.post("/v1/finger/assess", content=finger_png, headers={"X-API-Key": "wrong"})
        assert r.status_code == 401
        r = c.post("/v1/finger/assess", content=finger_png, headers={"X-API-Key": "s3cret"})
        assert r.status_code == 200
        assert c.get("/healthz").status_code == 200  # probes stay open


def test_unknown_routes_and_methods(client) -> None:
    assert error_of(client.get("/v1/finger/assess"))["code"] == "method_not_allowed"
    assert error_of(client.post("/v1/palm/assess", content=b"x"))["code"] == "not_found"


def test_health_ready_metrics(client, finger_png: bytes) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["ready"] is True and "finger" in ready["modalities"]
    client.post("/v1/finger/assess", content=finger_png)
    client.post("/v1/finger/assess", content=b"junk")
    text = client.get("/metrics").text
    assert 'biocap_assess_seconds_bucket{le="0.05",modality="finger"}' in text
    assert 'biocap_decisions_total{decision="accept",modality="finger"}' in text
    assert 'biocap_errors_total{code="unsupported_format"}' in text
    assert 'route="/v1/finger/assess"' in text


def test_warm_up_starts_the_wsq_decoder_on_the_request_thread(client) -> None:
    from biocap.io import wsq_isolated

    eng = client.app.state.engine
    child = eng.pool.submit(lambda: getattr(wsq_isolated._local, "child", None)).result()
    assert child is not None and child.proc.poll() is None


def test_openapi_lists_every_registered_modality(client) -> None:
    from biocap.records import assessors

    paths = client.get("/openapi.json").json()["paths"]
    for modality in assessors():
        assert f"/v1/{modality}/assess" in paths
    assert "/v1/mosip/check-quality" in paths and "/v1/subjects/{subject}" in paths


def test_operator_page_is_served(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "biocap" in page.text
    for asset in ("/static/app.js", "/static/style.css"):
        assert client.get(asset).status_code == 200
    assert "http" not in client.get("/static/app.js").text.split("fetch(")[1][:20]  # no CDN


@pytest.mark.parametrize("modality", ["face", "iris"])
def test_other_modalities_light_up(client, modality: str) -> None:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (480, 640, 3) if modality == "face" else (480, 640), np.uint8)
    pos = "&position=left" if modality == "iris" else ""
    r = client.post(f"/v1/{modality}/assess?map=true{pos}", content=png(pixels))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["modality"] == modality and body["decision"] in {"accept", "retake"}


def test_face_token_is_a_3_by_4_crop_and_needs_one_face(client) -> None:
    astronaut = pytest.importorskip("skimage.data").astronaut()
    r = client.post("/v1/face/token?format=png", content=png(astronaut))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "image/png"
    token = decode(r.content)
    assert token.height / token.width == pytest.approx(4 / 3, abs=0.01)
    r = client.post("/v1/face/token", content=png(np.full((300, 240, 3), 128, np.uint8)))
    assert r.status_code == 422 and error_of(r)["code"] == "no_single_face"


def test_base64_is_not_an_image(client, finger_png: bytes) -> None:
    r = client.post("/v1/finger/assess", content=base64.b64encode(finger_png))
    assert r.status_code == 415


@pytest.mark.parametrize("fmt", ["WEBP", "GIF"])
def test_webp_and_gif_bodies(client, fmt: str) -> None:
    data = encode(fingerprint(seed=1), fmt, **({"lossless": True} if fmt == "WEBP" else {}))
    r = client.post("/v1/finger/assess?ppi=500", content=data)
    assert r.status_code == 200, r.text
    assert r.json()["image"]["format"] == fmt
    bad = client.post("/v1/finger/assess", content=data[:40])
    assert bad.status_code == 422 and error_of(bad)["code"] == "corrupt_image"
