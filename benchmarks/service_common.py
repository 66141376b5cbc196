"""What the service benchmarks share: start ``biocap serve``, measure its memory, pick images.

Traffic goes to loopback only, from a second process (the benchmark), to a server started here
(or an already running one given with ``--url``).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import bench_env  # noqa: F401  (single-thread env for numpy/OpenCV/onnxruntime, inherited)
import httpx
import numpy as np
import psutil
from bench_env import REPO, data_root

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".pgm", ".wsq", ".jp2"}


@dataclass
class Server:
    url: str
    proc: subprocess.Popen | None

    def rss_mib(self) -> float:
        """Resident memory of the server and its worker processes (MiB)."""
        if self.proc is None:
            return float("nan")
        try:
            root = psutil.Process(self.proc.pid)
            procs = [root, *root.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs) / 2**20
        except psutil.Error:
            return float("nan")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(workers: int, url: str | None = None, cpus: str | None = None) -> Server:
    """``biocap serve`` on a free port, ready; ``cpus`` (e.g. ``"1"``) pins it and its workers
    with ``taskset -c``."""
    if url:
        return Server(url.rstrip("/"), None)
    port = free_port()
    env = dict(os.environ)
    cmd = [sys.executable, "-m", "biocap.cli", "serve", "--port", str(port)]
    cmd += ["--workers", str(workers), "--log-level", "warning"]
    if cpus:
        cmd = ["taskset", "-c", cpus, *cmd]
    proc = subprocess.Popen(cmd, cwd=REPO, env=env)
    server = Server(f"http://127.0.0.1:{port}", proc)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"biocap serve exited with {proc.returncode}")
        try:  # ready once every assessment process has loaded its models
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    server.stop()
    raise SystemExit("biocap serve did not become ready in 90 s")


def image_files(modality: str, limit: int = 200) -> list[Path]:
    """Real images of a modality from the shared data (sorted, then a fixed shuffle)."""
    root = data_root() / modality
    if not root.is_dir():
        return []
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)
    random.Random(0).shuffle(files)
    return files[:limit]


def generated(modality: str, n: int = 12) -> list[bytes]:
    """Fallback samples when the shared data is absent (PNG bytes)."""
    import io

    from PIL import Image

    out = []
    rng = np.random.default_rng(0)
    for i in range(n):
        if modality == "finger":
            from biocap.finger.synthetic import fingerprint

            pixels = fingerprint(seed=i)
        else:
            shape = (480, 640, 3) if modality == "face" else (280, 320)
            pixels = rng.integers(0, 256, shape, dtype=np.uint8)
        buf = io.BytesIO()
        Image.fromarray(pixels).save(buf, "PNG")
        out.append(buf.getvalue())
    return out


def percentiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    a = np.asarray(values)
    return {
        "n": int(a.size),
        "p50": round(float(np.percentile(a, 50)), 2),
        "p95": round(float(np.percentile(a, 95)), 2),
        "p99": round(float(np.percentile(a, 99)), 2),
        "mean": round(float(a.mean()), 2),
        "max": round(float(a.max()), 2),
    }
