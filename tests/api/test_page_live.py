"""The page's live mode in headless chromium with a fake camera, and its two languages.

The camera is chromium's fake media device playing a Y4M file written here (a frontal face),
so getUserMedia, the JPEG frames, the WebSocket and the auto-capture all run for real. The
frame rate the page reaches is measured by ``benchmarks/stream_page.py``, not asserted here.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from api.routes.ops import STATIC
from biocap.finger.synthetic import fingerprint
from tests.api.browser import HAVE_CHROMIUM, MISSING, chrome, face_frame, fake_camera, wait, y4m
from tests.api.conftest import png

pytestmark = pytest.mark.skipif(not HAVE_CHROMIUM, reason=MISSING)
TEXTS = json.loads((STATIC / "texts.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    pytest.importorskip("selenium.webdriver")
    video = tmp_path_factory.mktemp("camera") / "face.y4m"
    video.write_bytes(y4m([face_frame()] * 2))
    with chrome(*fake_camera(video)) as driver:
        yield driver


def _open(driver, url: str, lang: str = "en") -> None:
    from selenium.webdriver.common.by import By

    driver.get(url + "/")
    wait(driver, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    driver.execute_script(f"setLang('{lang}', true)")


def _select(driver, element_id: str, value: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(driver.find_element(By.ID, element_id)).select_by_value(value)


def _captured(driver) -> bool:
    return bool(driver.execute_script("return document.body.dataset.captured"))


def _tinted(driver, canvas: str) -> int:
    """Pixels of a canvas that are clearly coloured (overlay, map), not grey."""
    return driver.execute_script(
        f"""const c = document.getElementById('{canvas}');
           const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
           let n = 0; for (let i = 0; i < d.length; i += 4)
             if (Math.abs(d[i] - d[i+1]) > 40 || Math.abs(d[i+1] - d[i+2]) > 40) n++;
           return n;"""
    )


def test_webcam_face_is_captured_live(browser, live_server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    _open(browser, live_server)
    _select(browser, "profile", "child")  # the astronaut smiles: ICAO lets a child do that
    browser.find_element(By.ID, "livecam").click()
    wait(browser, _captured, 40)
    stats = browser.execute_script("return window.biocapLive.stats()")
    assert stats["verdicts"] >= 3 and stats["sent"] >= stats["verdicts"]  # at most one a frame
    assert browser.find_element(By.ID, "livedecision").text.lower() in {"accept", "retake"}
    assert browser.find_element(By.ID, "livemessage").text
    assert _tinted(browser, "livecanvas") > 200  # face box, landmarks, eyes over the frame
    # the kept frame's full result, drawn from the server's preview with its overlay
    assert browser.find_element(By.ID, "captured").is_displayed()
    assert browser.find_element(By.ID, "captured").text.startswith("Captured automatically")
    assert browser.find_element(By.ID, "decision").text.lower() == "accept"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#bars .bar")) >= 5
    wait(browser, lambda d: d.find_element(By.ID, "canvas").get_attribute("data-drawn"))
    # next capture: the server starts a new run and captures again
    browser.execute_script("document.body.dataset.captured = ''")
    browser.find_element(By.ID, "livenext").click()
    wait(browser, _captured, 40)
    browser.save_screenshot(str(tmp_path / "live-face.png"))
    browser.find_element(By.ID, "livestop").click()
    assert browser.execute_script("return document.body.dataset.live") == "stopped"


def test_folder_stream_in_vietnamese(browser, live_server: str, tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By

    folder = tmp_path / "scanner"
    folder.mkdir()
    for i in range(3):
        (folder / f"frame{i}.png").write_bytes(png(fingerprint(seed=10 + i)))
    (folder / "notes.txt").write_text("not an image: the page leaves it out")
    _open(browser, live_server, "vi")
    _select(browser, "modality", "finger")
    browser.find_element(By.ID, "livefiles").send_keys(str(folder))
    wait(browser, _captured, 40)
    vi = TEXTS["vi"]
    assert browser.find_element(By.ID, "captured").text.startswith("Đã chụp tự động")
    assert browser.find_element(By.ID, "decision").text.lower() == vi["accept"]
    assert browser.find_element(By.ID, "quality").text.startswith("Chất lượng:")
    # the server's words came in Vietnamese too (the stream's own catalogue entries)
    assert "Giữ yên" in browser.find_element(By.ID, "livemessage").text or _captured(browser)
    assert _tinted(browser, "livecanvas") > 1000  # the block quality map over the print
    browser.save_screenshot(str(tmp_path / "live-finger-vi.png"))
    browser.find_element(By.ID, "livestop").click()


def test_every_page_text_switches_language(browser, live_server: str) -> None:
    from selenium.webdriver.common.by import By

    for lang, texts in TEXTS.items():
        _open(browser, live_server, lang)
        shown = browser.execute_script(
            """return [...document.querySelectorAll('[data-i18n]')]
                 .map((e) => [e.dataset.i18n, e.textContent]);"""
        )
        assert shown and all(text == texts[key] for key, text in shown), lang
        hint = browser.find_element(By.ID, "subject").get_attribute("placeholder")
        assert hint == texts["subject_hint"]
        assert browser.title == texts["title"]
        options = [o.text for o in browser.find_elements(By.CSS_SELECTOR, "#modality option")]
        assert texts["finger"] in options
    _open(browser, live_server, "en")  # what the other tests of this browser expect
