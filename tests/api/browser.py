"""Debian's headless chromium for the page tests (and benchmarks/stream_page.py): the driver,
a wait, and fake-camera media.

``scripts/test.sh`` installs ``chromium`` and ``chromium-driver`` when missing; without them the
page tests skip with :data:`MISSING`.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import cv2
import numpy as np

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MISSING = "chromium/chromedriver not installed (scripts/test.sh installs Debian's packages)"
HAVE_CHROMIUM = Path(CHROMIUM).exists() and Path(DRIVER).exists()

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1280,1000",
)


def fake_camera(video: Path | None = None) -> tuple[str, ...]:
    """Chromium's fake media device, allowed without a prompt; ``video`` (.y4m / .mjpeg) is
    played in a loop instead of the built-in test pattern."""
    flags = ("--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
    return (*flags, f"--use-file-for-fake-video-capture={video}") if video else flags


@contextlib.contextmanager
def chrome(*extra: str) -> Iterator[Any]:
    """A Selenium chromium driver with a throw-away profile."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="biocap-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (*FLAGS, *extra, f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: Any, condition: Callable[[Any], Any], timeout: float = 20.0) -> Any:
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def y4m(frames: list[np.ndarray], fps: int = 25) -> bytes:
    """RGB frames (same even size) as a YUV4MPEG2 4:2:0 file, what ``--use-file-for-fake-
    video-capture`` plays."""
    h, w = frames[0].shape[:2]
    out = [f"YUV4MPEG2 W{w} H{h} F{fps}:1 Ip A1:1 C420jpeg\n".encode()]
    for rgb in frames:
        out += [b"FRAME\n", cv2.cvtColor(rgb, cv2.COLOR_RGB2YUV_I420).tobytes()]
    return b"".join(out)


def face_frame() -> np.ndarray:
    """A 640x480 webcam-like frame of a frontal face (scikit-image's public-domain astronaut,
    cropped so the face fills an ICAO-like share of the frame)."""
    from skimage import data

    crop = data.astronaut()[0:300, 60:460]
    return cv2.resize(crop, (640, 480), interpolation=cv2.INTER_AREA)
