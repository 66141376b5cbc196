"""The offline bundle: build it, install it into a fresh venv with the package index disabled,
then score a print with the CLI and through the service (the models must come with the wheel).

Marked ``slow`` (about 1.5 min on 2 cores: building the bundle copies ~200 MB of wheels, the
install unpacks them); it runs in CI with everything else. ``-m "not slow"`` skips it.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.audit.helpers import print_png
from tests.conftest import REPO

pytestmark = pytest.mark.slow


def _offline_env(venv: Path) -> dict[str, str]:
    """No index and no configured extra sources: pip may read the bundle's wheels only."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "BIOCAP_"))}
    env.pop("PYTHONPATH", None)
    env.update(
        PIP_CONFIG_FILE=os.devnull,  # no pip.conf (extra indexes, find-links)
        PIP_NO_INDEX="1",
        PIP_INDEX_URL="http://127.0.0.1:9/",  # the discard port: any index use fails
        PIP_NO_COMPILE="1",  # the test's only speed-up: .pyc files are written on first use
        PYTHON=sys.executable,
        BIOCAP_VENV=str(venv),
    )
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_bundle_installs_offline_and_scores_a_print(tmp_path: Path) -> None:
    build = subprocess.run(
        ["bash", "scripts/bundle.sh", "--out", str(tmp_path / "bundle"), "--archive"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    archive = tmp_path / "bundle.tar.gz"
    assert archive.is_file()
    wheels = sorted(p.name for p in (tmp_path / "bundle" / "wheels").glob("*.whl"))
    assert any(w.startswith("biocap-") for w in wheels)
    assert any(w.startswith("onnxruntime-") for w in wheels)
    assert any(w.startswith("uvicorn-") for w in wheels)

    unpacked = tmp_path / "laptop"
    unpacked.mkdir()
    (unpacked / archive.name).write_bytes(archive.read_bytes())  # as carried on a USB stick
    venv = tmp_path / "venv"
    env = _offline_env(venv)
    inst = subprocess.run(
        ["bash", str(tmp_path / "bundle" / "install-offline.sh"), str(unpacked / archive.name)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert inst.returncode == 0, inst.stdout[-2000:] + inst.stderr[-3000:]

    def installed(*args: str) -> str:
        run = subprocess.run(
            [str(venv / "bin" / args[0]), *args[1:]],
            cwd=tmp_path,  # not the checkout: nothing may come from the repository
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stderr[-3000:]
        return run.stdout

    # installed from the wheel, not the checkout: package and models live in the venv
    where = installed(
        "python",
        "-c",
        "import biocap, api.app; from biocap import models; "
        "print(biocap.__file__); print(models.model_path('finger_quality.onnx'))",
    )
    package, model = where.split()
    assert package.startswith(str(venv)) and model.startswith(str(venv))

    image = tmp_path / "print.png"
    image.write_bytes(print_png(2))
    score = installed("biocap", "score", str(image), "--format", "jsonl")
    record = json.loads(score)
    assert record["modality"] == "finger" and 0 <= record["quality"] <= 100
    assert record.get("error") is None

    port = _free_port()
    server = subprocess.Popen(
        [str(venv / "bin" / "biocap"), "serve", "--port", str(port), "--log-level", "warning"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None, server.stderr.read().decode()[-2000:]
                assert time.monotonic() < deadline, "the installed service did not start"
                time.sleep(0.3)
        req = urllib.request.Request(
            f"{base}/v1/finger/assess?ppi=500",
            data=image.read_bytes(),
            headers={"Content-Type": "image/png"},
        )
        answer = json.loads(urllib.request.urlopen(req, timeout=30).read())
        assert answer["quality"] == record["quality"]
    finally:
        server.terminate()
        server.wait(timeout=30)
