"""The WSQ decoder process: reused while healthy, replaced after a refusal or a crash."""

from __future__ import annotations

import os
import signal

import numpy as np
import pytest

from biocap.errors import CorruptImageError
from biocap.io import decode, wsq_isolated
from tests.io.images import encode, ridges

GOOD = encode(ridges(120, 96), "WSQ")
SHAPE = (120, 96)


def _pid() -> int:
    return wsq_isolated._local.child.proc.pid


def test_child_is_reused_and_pixels_match_in_process_decoder():
    import _wsq

    first = decode(GOOD)
    pid = _pid()
    second = decode(GOOD)
    assert _pid() == pid
    raw, w, h, _ = _wsq.decompress(GOOD)  # a well-formed file: safe in this process
    expected = np.frombuffer(raw, np.uint8).reshape(h, w)
    assert np.array_equal(first.pixels, expected)
    assert np.array_equal(second.pixels, expected)


def test_refused_file_replaces_the_child():
    decode(GOOD)
    pid = _pid()
    bad = bytearray(GOOD)
    bad[200:260] = b"\xff" * 60  # a damaged table: the decoder refuses it
    with pytest.raises(CorruptImageError):
        decode(bytes(bad))
    assert decode(GOOD).pixels.shape == SHAPE
    assert _pid() != pid


def test_crashed_child_is_an_error_for_that_image_only(monkeypatch):
    decode(GOOD)
    child = wsq_isolated._local.child
    os.kill(child.proc.pid, signal.SIGKILL)
    child.proc.wait()
    monkeypatch.setattr(child.proc, "poll", lambda: None)  # as if it died mid-request
    with pytest.raises(CorruptImageError, match="decoder exited"):
        decode(GOOD)
    assert decode(GOOD).pixels.shape == SHAPE


def test_stuck_child_is_killed_on_time(monkeypatch):
    decode(GOOD)
    child = wsq_isolated._local.child
    child.proc.send_signal(signal.SIGSTOP)  # a decoder that never answers
    monkeypatch.setattr(wsq_isolated, "TIMEOUT_S", 0.5)
    with pytest.raises(CorruptImageError, match="timeout"):
        decode(GOOD)
    assert decode(GOOD).pixels.shape == SHAPE


def test_recycled_after_limit(monkeypatch):
    monkeypatch.setattr(wsq_isolated, "RECYCLE_AFTER", 2)
    decode(GOOD)
    pid = _pid()
    decode(GOOD)
    decode(GOOD)
    assert _pid() != pid
