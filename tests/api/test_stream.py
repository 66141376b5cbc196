"""``WS /v1/{modality}/stream``: verdicts, newest-frame-first, auto-capture and every refusal."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from starlette.testclient import WebSocketDenialResponse

from biocap.finger.synthetic import fingerprint
from tests.api.conftest import make_client, png


def _until(ws: Any, kind: str, limit: int = 50) -> dict[str, Any]:
    """The next event of ``kind`` (others are skipped)."""
    for _ in range(limit):
        event = ws.receive_json()
        if event["type"] == kind:
            return event
    raise AssertionError(f"no {kind} event in {limit}")


def _closed(ws: Any) -> dict[str, Any]:
    """The server's close message after its error event."""
    while True:
        msg = ws.receive()
        if msg["type"] == "websocket.close":
            return msg


def test_verdicts_then_capture_of_a_still_finger(client, finger_png: bytes) -> None:
    client.delete("/v1/subjects/live-1")
    with client.websocket_connect("/v1/finger/stream?position=2&subject=live-1") as ws:
        ready = ws.receive_json()
        assert ready["type"] == "ready" and ready["modality"] == "finger"
        assert ready["capture"] == {"frames": 3, "max_quality_spread": 15, "timeout_s": 10.0}
        verdicts = []
        for _ in range(3):
            ws.send_bytes(finger_png)
            verdicts.append(_until(ws, "verdict"))
        captured = ws.receive_json()
    assert [v["seq"] for v in verdicts] == [1, 2, 3]
    assert [v["run"] for v in verdicts] == [1, 2, 3]
    assert [v["captured"] for v in verdicts] == [False, False, True]
    first = verdicts[0]
    assert first["decision"] == "accept" and 0 < first["quality"] <= 100
    assert first["message"] and first["action"] and first["dropped"] == 0
    assert first["quality_map"]["block_px"] > 0  # a print's live overlay is its block map
    assert first["ms"]["server"] >= first["ms"]["assess"] > 0
    # the kept frame, assessed in full: the assess route's answer for the same bytes
    assert captured["type"] == "captured" and captured["trigger"] == "stable"
    result = captured["result"]
    same = client.post("/v1/finger/assess?position=2", content=finger_png).json()
    assert result["quality"] == same["quality"] == first["quality"]
    assert result["measures"] == same["measures"]
    assert result["preview"].startswith("data:image/jpeg;base64,") and result["quality_map"]
    assert result["attempts"]["attempt"] == 1  # the kept frame is the subject's attempt
    (series,) = client.get("/v1/subjects/live-1").json()["series"]
    assert series["position"] == "2" and len(series["attempts"]) == 1


def test_a_retake_frame_breaks_the_run_and_reset_starts_over(
    client, finger_png: bytes, blank_png: bytes
) -> None:
    with client.websocket_connect("/v1/finger/stream") as ws:
        ws.receive_json()
        runs = []
        for frame in (finger_png, finger_png, blank_png, finger_png, finger_png):
            ws.send_bytes(frame)
            runs.append(_until(ws, "verdict")["run"])
        assert runs == [1, 2, 0, 1, 2]
        ws.send_bytes(blank_png)
        retake = _until(ws, "verdict")
        assert retake["decision"] == "retake" and retake["code"] == "finger.not_a_fingerprint"
        assert "fingerprint" in retake["message"].lower()
        for _ in range(3):
            ws.send_bytes(finger_png)
            _until(ws, "verdict")
        assert _until(ws, "captured")["seq"] == 7  # the run's first frame: all score the same
        ws.send_text('{"type": "reset"}')
        assert ws.receive_json() == {"type": "reset"}
        ws.send_bytes(finger_png)
        after = _until(ws, "verdict")
        assert after["run"] == 1 and not after["captured"]
        ws.send_text("hello")
        assert _until(ws, "error")["code"] == "invalid_message"  # and the stream stays open
        ws.send_bytes(finger_png)
        assert _until(ws, "verdict")["run"] == 2


def test_stale_frames_are_dropped_and_the_newest_answered(finger_png: bytes) -> None:
    burst = 20
    with make_client() as c, c.websocket_connect("/v1/finger/stream") as ws:
        ws.receive_json()
        for _ in range(burst):  # far faster than a print is scored
            ws.send_bytes(finger_png)
        seqs, dropped = [], 0
        while not seqs or seqs[-1] < burst:
            event = ws.receive_json()
            if event["type"] == "verdict":
                seqs.append(event["seq"])
                dropped = event["dropped"]
        metrics = c.get("/metrics").text
    assert seqs == sorted(seqs) and seqs[-1] == burst  # the newest frame is always answered
    assert dropped > 0 and len(seqs) + dropped == burst  # every frame: answered or dropped
    assert 'biocap_stream_frames_total{modality="finger",outcome="dropped"}' in metrics
    assert 'biocap_stream_frames_total{modality="finger",outcome="scored"}' in metrics
    assert "biocap_stream_verdict_seconds_bucket" in metrics


def test_time_out_keeps_the_best_frame_seen(tmp_path: Path, blank_png: bytes) -> None:
    profile = tmp_path / "quick.toml"
    profile.write_text('description = "x"\n[finger.stream]\ntimeout_s = 0.3\n')
    with make_client(profile=str(profile)) as c, c.websocket_connect("/v1/finger/stream") as ws:
        assert ws.receive_json()["capture"]["timeout_s"] == 0.3
        ws.send_bytes(blank_png)  # the clock starts with the first frame; then none comes
        assert _until(ws, "verdict")["decision"] == "retake"
        captured = _until(ws, "captured")
    assert captured["trigger"] == "timeout" and captured["seq"] == 1
    assert captured["result"]["decision"] == "retake" and captured["result"]["reasons"]
    assert "best frame" in captured["message"]


def test_raw_grey_frames_with_width_and_height() -> None:
    pixels = fingerprint(seed=4)
    h, w = pixels.shape
    with make_client() as c, c.websocket_connect(f"/v1/finger/stream?width={w}&height={h}") as ws:
        ws.receive_json()
        ws.send_bytes(pixels.tobytes())
        v = _until(ws, "verdict")
    assert v["image"] == {"width": w, "height": h} and v["decision"] == "accept"


def test_a_frame_that_does_not_decode_is_an_error_event(client, finger_png: bytes) -> None:
    with client.websocket_connect("/v1/finger/stream") as ws:
        ws.receive_json()
        ws.send_bytes(b"not an image at all")
        error = _until(ws, "error")
        assert error == {**error, "seq": 1, "code": "unsupported_format"}
        ws.send_bytes(finger_png[: len(finger_png) // 3])  # truncated
        assert _until(ws, "error")["code"] == "corrupt_image"
        ws.send_bytes(finger_png)  # the stream goes on
        assert _until(ws, "verdict")["seq"] == 3


def test_face_and_iris_streams_answer(client) -> None:
    rng = np.random.default_rng(0)
    noise = png(rng.integers(0, 256, (240, 320), dtype=np.uint8))
    for modality in ("face", "iris"):
        with client.websocket_connect(f"/v1/{modality}/stream") as ws:
            assert ws.receive_json()["modality"] == modality
            ws.send_bytes(noise)
            v = _until(ws, "verdict")
            assert v["decision"] == "retake" and v["code"].startswith(modality + ".")
            assert v["message"] != v["code"]  # a catalogue entry, not the bare code


def test_oversized_frame_closes_with_1009() -> None:
    with make_client(max_frame_bytes=1000) as c, c.websocket_connect("/v1/finger/stream") as ws:
        assert ws.receive_json()["max_frame_bytes"] == 1000
        ws.send_bytes(b"\0" * 1001)
        assert _until(ws, "error")["code"] == "frame_too_large"
        assert _closed(ws)["code"] == 1009


def test_the_stream_cap_answers_busy(finger_png: bytes) -> None:
    with make_client(max_streams=1) as c, c.websocket_connect("/v1/finger/stream") as first:
        first.receive_json()
        with c.websocket_connect("/v1/face/stream") as second:
            assert second.receive_json()["code"] == "busy"
            assert _closed(second)["code"] == 1013
        first.send_bytes(finger_png)  # the open one is not disturbed
        assert _until(first, "verdict")["seq"] == 1
    with c.websocket_connect("/v1/finger/stream") as again:  # the slot was given back
        assert again.receive_json()["type"] == "ready"


def test_idle_stream_is_closed() -> None:
    with make_client(stream_idle_s=0.2) as c, c.websocket_connect("/v1/iris/stream") as ws:
        ws.receive_json()
        assert _until(ws, "error")["code"] == "idle"
        assert _closed(ws)["code"] == 1000


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("position=11", "invalid_parameter"),
        ("profile=nope", "invalid_parameter"),
        ("profile=../../etc/passwd", "invalid_parameter"),
        ("ppi=-1", "invalid_parameter"),
        ("lang=english", "invalid_parameter"),
    ],
)
def test_bad_parameters_close_with_1008(client, query: str, code: str) -> None:
    with client.websocket_connect(f"/v1/finger/stream?{query}") as ws:
        assert ws.receive_json()["code"] == code
        assert _closed(ws)["code"] == 1008


def test_api_key_rule_is_the_v1_one(finger_png: bytes) -> None:
    with make_client(api_key="s3cret") as c:
        for url, headers in (
            ("/v1/finger/stream", {}),
            ("/v1/finger/stream?key=wrong", {}),
            ("/v1/finger/stream", {"X-API-Key": "wrong"}),
        ):
            with pytest.raises(WebSocketDenialResponse) as denied:
                c.websocket_connect(url, headers=headers).__enter__()
            assert denied.value.status_code == 401
            assert denied.value.json()["error"]["code"] == "unauthorized"
        for url, headers in (
            ("/v1/finger/stream?key=s3cret", {}),  # browsers cannot set WebSocket headers
            ("/v1/finger/stream", {"X-API-Key": "s3cret"}),
        ):
            with c.websocket_connect(url, headers=headers) as ws:
                assert ws.receive_json()["type"] == "ready"


def test_stream_speaks_the_negotiated_language(client, finger_png: bytes) -> None:
    for headers, query, lang in (
        ({"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"}, "", "vi"),
        ({"Accept-Language": "vi"}, "?lang=en", "en"),
        ({}, "", "en"),
    ):
        with client.websocket_connect(f"/v1/finger/stream{query}", headers=headers) as ws:
            assert ws.receive_json()["lang"] == lang
            ws.send_bytes(finger_png)
            v = _until(ws, "verdict")
            assert ("Giữ yên" in v["message"]) == (lang == "vi"), v["message"]


def test_stream_closing_mid_frame_is_clean(finger_png: bytes) -> None:
    """The client goes while its frame is being scored: the slot is freed, nothing leaks."""
    with make_client(max_streams=1) as c:
        for _ in range(3):
            with c.websocket_connect("/v1/face/stream") as ws:
                ws.receive_json()
                ws.send_bytes(finger_png)
            # closed without reading the verdict
        with c.websocket_connect("/v1/finger/stream") as ws:
            assert ws.receive_json()["type"] == "ready"


def test_real_server_streams_and_refuses_an_oversized_frame(
    live_server: str, finger_png: bytes
) -> None:
    """Uvicorn's own WebSocket layer and two assessment processes, over a real socket."""
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    url = live_server.replace("http://", "ws://") + "/v1/finger/stream"
    with connect(url, max_size=2**22) as ws:
        assert json.loads(ws.recv())["max_frame_bytes"] == 4 * 1024 * 1024
        for seq in (1, 2, 3):
            ws.send(finger_png)
            assert json.loads(ws.recv(timeout=10))["seq"] == seq
        captured = json.loads(ws.recv(timeout=10))
        assert captured["type"] == "captured" and captured["result"]["preview"]
        ws.send(b"\0" * (4 * 1024 * 1024 + 1))  # over BIOCAP_MAX_FRAME_BYTES
        assert json.loads(ws.recv(timeout=10))["code"] == "frame_too_large"
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=10)
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    # far over: the WebSocket layer cuts it while it comes in, and the service carries on
    with connect(url, max_size=2**22) as ws, pytest.raises((ConnectionClosed, OSError)):
        ws.recv(timeout=10)
        ws.send(b"\0" * (12 * 1024 * 1024))
        ws.recv(timeout=10)
    with connect(url) as ws:
        assert json.loads(ws.recv(timeout=10))["type"] == "ready"


def test_bad_frames_are_each_answered_and_the_stream_survives(client, finger_png: bytes) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from tests.io.images import png_header_only

    fixed = [b"", png_header_only(60_000, 60_000), png_header_only(8, 8), b"\x89PNG\r\n\x1a\n"]
    with client.websocket_connect("/v1/face/stream") as ws:
        ws.receive_json()

        def answer(frame: bytes) -> dict:
            ws.send_bytes(frame)
            event = ws.receive_json()
            assert event["type"] in {"verdict", "error"}, event
            return event

        codes = {answer(f).get("code") for f in fixed}
        assert {"empty_body", "decompression_bomb"} <= codes

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
        @given(st.binary(max_size=2048))
        def fuzz(frame: bytes) -> None:
            answer(frame)

        fuzz()
        ws.send_bytes(finger_png)
        assert _until(ws, "verdict")["image"]["width"] > 0
