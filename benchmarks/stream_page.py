"""The operator page's live mode in headless chromium: the frame rate it reaches.

    .venv/bin/python benchmarks/stream_page.py [--duration 20] [--fps 25] [--workers 2]
        [--json out/bench/stream_page.json]

Chromium's fake camera plays a 640x480 Y4M of a frontal face (scikit-image's astronaut, written
here); the page grabs frames at ``--fps``, encodes them to JPEG, streams them to
``WS /v1/face/stream`` (at most two waiting for an answer) and draws each verdict over its frame.
Then a folder of FVC 2002 DB1 prints is streamed as a simulated scanner. The figures are the
page's own (``window.biocapLive.stats()``): verdicts/s over its last two seconds, the median
time from a frame's send to its verdict, frames the server dropped and ticks the page skipped
because two frames were still waiting. Everything (server, workers, browser) shares the machine's
cores; the load average is recorded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import bench_env
from bench_env import data_root, describe, load_average, machine_info, write_json
from service_common import REPO, start_server

sys.path.insert(0, str(bench_env.REPO))  # for tests.api.browser (the page tests' harness)

from tests.api.browser import (
    HAVE_CHROMIUM,
    MISSING,
    chrome,
    face_frame,
    fake_camera,
    wait,
    y4m,
)


def sample(driver, seconds: float) -> list[dict]:
    """The page's stats once a second."""
    out = []
    for _ in range(int(seconds)):
        time.sleep(1.0)
        out.append(driver.execute_script("return window.biocapLive.stats()"))
    return out


def live_run(driver, url: str, start: Callable[[Any], None], seconds: float, fps: float) -> dict:
    """Open the page, start a live stream with ``start(driver)``, sample its stats."""
    from selenium.webdriver.common.by import By

    driver.get(url + "/")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    driver.execute_script(f"document.getElementById('livefps').value = '{fps:g}'")
    start(driver)
    wait(driver, lambda d: d.execute_script("return window.biocapLive.stats().verdicts > 5"), 60)
    samples = sample(driver, seconds)
    driver.find_element(By.ID, "livestop").click()
    last = samples[-1]
    rates = [s["fps"] for s in samples[2:]] or [last["fps"]]
    return {
        "offered_fps": fps,
        "verdicts_per_s_mean": round(sum(rates) / len(rates), 1),
        "verdicts_per_s_min": round(min(rates), 1),
        "page_rtt_ms_median": round(last["rtt_ms"], 1),
        "frames_sent": last["sent"],
        "verdicts": last["verdicts"],
        "server_dropped": last["dropped"],
        "page_skipped_ticks": last["skipped"],
        "captures": last["captures"],
    }


def webcam(driver) -> None:
    driver.execute_script(
        "document.getElementById('profile').value = 'child';"  # the astronaut smiles
        "document.getElementById('livecam').click()"
    )


def folder_of(path: Path) -> Callable[[Any], None]:
    def start(driver) -> None:
        from selenium.webdriver.common.by import By

        driver.execute_script("document.getElementById('modality').value = 'finger'")
        driver.find_element(By.ID, "livefiles").send_keys(str(path))

    return start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=float, default=20.0, help="seconds measured per run")
    ap.add_argument("--fps", type=float, default=25.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--json", type=Path, default=REPO / "out" / "bench" / "stream_page.json")
    args = ap.parse_args()
    if not HAVE_CHROMIUM:
        print(f"skipped: {MISSING}")
        return 0
    media = Path(tempfile.mkdtemp(prefix="biocap-stream-page-"))
    video = media / "face.y4m"
    video.write_bytes(y4m([face_frame()] * 2))
    prints = sorted((data_root() / "finger" / "fvc2002_db1_b").glob("*.tif"))[:16]
    folder = media / "scanner"
    folder.mkdir()
    for p in prints:
        shutil.copy(p, folder / p.name)
    server = start_server(args.workers)
    results = {}
    try:
        load = load_average()
        with chrome(*fake_camera(video)) as driver:
            runs = [("face_webcam", webcam)]
            if prints:
                runs.append(("finger_folder", folder_of(folder)))
            for name, start in runs:
                results[name] = live_run(driver, server.url, start, args.duration, args.fps)
                print(f"{name}: {results[name]}", flush=True)
    finally:
        server.stop()
        shutil.rmtree(media, ignore_errors=True)
    info = machine_info()
    write_json(args.json, {"runs": results, "load_average_before": load,
                           "load_average_after": load_average(), "machine": info})  # fmt: skip
    print(describe(info), "load", load)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
