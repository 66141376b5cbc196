"""The operator page in a real headless browser (Debian's chromium driven by Selenium).

``scripts/test.sh`` installs ``chromium`` and ``chromium-driver`` when missing; without them
these tests skip with that message.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.api.conftest import png

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = pytest.mark.skipif(
    not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
    reason="chromium/chromedriver not installed (scripts/test.sh installs Debian's packages)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="biocap-chromium-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in (
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
        f"--user-data-dir={profile}",
    ):
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _wait(driver, condition, timeout: float = 20.0):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(condition)


def _upload(driver, path: Path, modality: str = "finger") -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, "modality")).select_by_value(modality)
    driver.find_element(By.ID, "file").send_keys(str(path))


def test_page_scores_a_dropped_fingerprint(browser, live_server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from biocap.finger.synthetic import fingerprint

    browser.get(live_server + "/")
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    options = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#modality option")]
    assert "finger" in options
    image = tmp_path / "print.png"
    image.write_bytes(png(fingerprint(seed=5)))
    browser.find_element(By.ID, "position").send_keys("2")
    _upload(browser, image)
    _wait(browser, lambda d: d.find_element(By.ID, "canvas").get_attribute("data-drawn"))
    badge = browser.find_element(By.ID, "decision")
    assert badge.text.lower() == "accept"
    assert "accept" in badge.get_attribute("class")
    assert "Quality:" in browser.find_element(By.ID, "quality").text
    bars = browser.find_elements(By.CSS_SELECTOR, "#bars .bar")
    assert len(bars) >= 5
    # the quality map was painted over the print: canvas pixels are tinted, not just grey
    tinted = browser.execute_script(
        """const c = document.getElementById('canvas');
           const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
           let n = 0; for (let i = 0; i < d.length; i += 4)
             if (Math.abs(d[i] - d[i+1]) > 20 || Math.abs(d[i+1] - d[i+2]) > 20) n++;
           return n;"""
    )
    assert tinted > 1000
    browser.save_screenshot(str(tmp_path / "page.png"))  # kept by pytest in its tmp folder


def test_page_shows_retake_and_errors(browser, live_server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(live_server + "/")
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    blank = tmp_path / "blank.png"
    blank.write_bytes(png(np.full((300, 300), 235, np.uint8)))
    _upload(browser, blank)
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state"))
    assert browser.find_element(By.ID, "decision").text.lower() == "retake"
    assert "fingerprint" in browser.find_element(By.ID, "message").text.lower()

    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"definitely not an image")
    browser.execute_script("document.body.dataset.state = ''")
    _upload(browser, junk)
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state"))
    error = browser.find_element(By.ID, "error")
    assert error.is_displayed() and "unsupported_format" in error.text


def test_page_face_overlay(browser, live_server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    data = pytest.importorskip("skimage.data")
    image = tmp_path / "face.png"
    image.write_bytes(png(data.astronaut()))
    browser.get(live_server + "/")
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    browser.execute_script("document.body.dataset.state = ''")
    _upload(browser, image, "face")
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-state"))
    assert browser.find_element(By.ID, "decision").text.lower() in {"accept", "retake"}
    _wait(browser, lambda d: d.find_element(By.ID, "canvas").get_attribute("data-drawn"))
    browser.save_screenshot(str(tmp_path / "face.png"))


def test_page_draws_slap_boxes_and_verdicts(browser, live_server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    from biocap.finger.slap import generate as G

    sources = G.synthetic_sources(6, seed=60)
    rng = np.random.default_rng(100)
    plain = dataclasses.replace(G.DEV_STYLE, p_missing=0.0, p_edge=0.0)
    image = tmp_path / "right.png"
    image.write_bytes(
        png(G.generate_slap("right", G.pick_prints(sources, rng, 6), rng, plain).image)
    )
    browser.get(live_server + "/")
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    browser.execute_script("document.body.dataset.state = ''")
    _upload(browser, image, "slap:right")
    _wait(browser, lambda d: d.find_element(By.ID, "canvas").get_attribute("data-drawn"))
    assert browser.find_element(By.ID, "decision").text.lower() in {"accept", "retake"}
    lines = [li.text for li in browser.find_elements(By.CSS_SELECTOR, "#defects li")]
    assert any("right index" in t and "quality" in t for t in lines)
    # the boxes are drawn in the verdicts' colours (green accept, red retake)
    coloured = browser.execute_script(
        """const c = document.getElementById('canvas');
           const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
           let n = 0; for (let i = 0; i < d.length; i += 4)
             if ((d[i+1] > 150 && d[i] < 100) || (d[i] > 200 && d[i+1] < 100)) n++;
           return n;"""
    )
    assert coloured > 500
    browser.save_screenshot(str(tmp_path / "slap.png"))
