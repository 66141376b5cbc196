"""The operator page in a real headless browser (Debian's chromium driven by Selenium).

``scripts/test.sh`` installs ``chromium`` and ``chromium-driver`` when missing; without them
these tests skip with that message.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.api.browser import HAVE_CHROMIUM, MISSING, chrome
from tests.api.browser import wait as _wait
from tests.api.conftest import png

pytestmark = pytest.mark.skipif(not HAVE_CHROMIUM, reason=MISSING)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    pytest.importorskip("selenium.webdriver")
    with chrome() as driver:
        yield driver


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


def test_page_outlines_and_names_a_smudged_region(browser, live_server: str, tmp_path) -> None:
    """A smeared core: the page outlines the region in red and writes its name in the
    language of the page's ``lang`` (here Vietnamese, from the service's catalogue)."""
    from selenium.webdriver.common.by import By

    from biocap.finger.synthetic import fingerprint, smudge

    browser.get(live_server + "/?lang=vi")
    _wait(browser, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    browser.execute_script("document.body.dataset.state = ''")
    image = tmp_path / "smudged.png"
    image.write_bytes(png(smudge(fingerprint(seed=5))))
    _upload(browser, image)
    _wait(browser, lambda d: d.find_element(By.ID, "canvas").get_attribute("data-drawn"))
    canvas = browser.find_element(By.ID, "canvas")
    assert browser.find_element(By.ID, "decision").text.lower() == "retake"
    assert canvas.get_attribute("data-regions") == "1"
    assert canvas.get_attribute("data-region-labels") == "vết nhòe (vùng lõi)"
    # the outline and the label's box are painted in the error red (#ff3b30)
    red = browser.execute_script(
        """const c = document.getElementById('canvas');
           const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
           let n = 0; for (let i = 0; i < d.length; i += 4)
             if (d[i] > 230 && d[i+1] > 40 && d[i+1] < 80 && d[i+2] > 30 && d[i+2] < 70) n++;
           return n;"""
    )
    assert red > 300
    browser.save_screenshot(str(tmp_path / "smudged_page.png"))


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
