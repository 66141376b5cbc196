"""``biocap serve --workers 2``: one HTTP process, two assessment processes behind one queue."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid

import httpx
import psutil


def _workers(proc: subprocess.Popen) -> set[int]:
    """The assessment processes (multiprocessing spawn children) of the server."""
    children = psutil.Process(proc.pid).children()
    return {c.pid for c in children if "spawn_main" in " ".join(c.cmdline())}


def test_two_assessment_processes_serve_one_queue(live_server_process) -> None:
    url, proc = live_server_process
    assert len(_workers(proc)) == 2
    ready = httpx.get(url + "/readyz").json()
    assert ready["ready"] is True and ready["warm_up_ms"]


def test_attempts_are_shared_by_every_connection(live_server, blank_png: bytes) -> None:
    """Each attempt on a new connection (a station reconnecting, the operator page's several
    connections): the one attempt book still sees them all in order."""
    subject = f"s-{uuid.uuid4().hex}"
    seen = []
    for _ in range(3):
        with httpx.Client(base_url=live_server, timeout=30) as c:
            r = c.post(f"/v1/finger/assess?subject={subject}&position=2", content=blank_png)
            assert r.status_code == 200, r.text
            seen.append((r.json()["attempts"]["attempt"], r.json()["decision"]))
    assert seen == [(1, "retake"), (2, "retake"), (3, "exception")]
    state = httpx.get(f"{live_server}/v1/subjects/{subject}").json()
    assert state  # remembered once, by the HTTP process


def test_a_killed_worker_is_replaced(live_server_process, finger_png: bytes) -> None:
    url, proc = live_server_process
    before = _workers(proc)
    os.kill(next(iter(before)), signal.SIGKILL)  # the OOM killer, a native crash
    time.sleep(0.5)
    statuses, codes = [], []
    with httpx.Client(base_url=url, timeout=60) as c:
        for _ in range(6):
            r = c.post("/v1/finger/assess", content=finger_png)
            statuses.append(r.status_code)
            if r.status_code != 200:
                codes.append(r.json()["error"]["code"])
    assert set(codes) <= {"worker_lost"} and len(codes) <= 1, (statuses, codes)
    assert statuses[-3:] == [200, 200, 200]
    after = _workers(proc)
    assert after and not after & before  # a new pool, not a half-broken one


def test_workers_go_with_the_http_process() -> None:
    """A SIGKILLed server (OOM killer, kill -9) leaves no assessment process behind."""
    from tests.api.conftest import REPO, free_port

    port = free_port()
    cmd = [sys.executable, "-m", "biocap.cli", "serve", "--port", str(port), "--workers", "2"]
    proc = subprocess.Popen(cmd, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(workers := _workers(proc)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2
        proc.kill()
        proc.wait()
        _, alive = psutil.wait_procs([psutil.Process(p) for p in workers], timeout=10)
        assert not alive, [p.pid for p in alive]
    finally:
        proc.kill()
