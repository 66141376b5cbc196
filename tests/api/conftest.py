"""Service fixtures: an in-process app (TestClient) and, for browser tests, a real server."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from api import Settings, create_app
from biocap.finger.synthetic import fingerprint

REPO = Path(__file__).resolve().parents[2]


def png(pixels: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture(scope="session")
def finger_png() -> bytes:
    return png(fingerprint(seed=1))


@pytest.fixture(scope="session")
def blank_png() -> bytes:
    return png(np.full((300, 300), 235, np.uint8))


@pytest.fixture(scope="session")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(Settings()), raise_server_exceptions=False) as c:
        yield c


def make_client(**settings: object) -> TestClient:
    return TestClient(
        create_app(Settings(**settings), warm_up=False), raise_server_exceptions=False
    )


def error_of(response: httpx.Response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and isinstance(body["error"]["message"], str)
    return body["error"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def live_server(live_server_process: tuple[str, subprocess.Popen]) -> str:
    return live_server_process[0]


@pytest.fixture(scope="session")
def live_server_process() -> Iterator[tuple[str, subprocess.Popen]]:
    """``biocap serve --workers 2`` in a child process (real uvicorn, two assessment
    processes), answering on a free loopback port."""
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "biocap.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
                pytest.fail(f"biocap serve exited early ({proc.returncode}):\n{out}")
            try:
                if httpx.get(url + "/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        else:
            pytest.fail("biocap serve did not become ready within 60 s")
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
