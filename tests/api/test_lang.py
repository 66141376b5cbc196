"""The operator's language: ``lang=``, ``Accept-Language``, the station's BIOCAP_LANG, the page."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from api.lang import negotiate
from api.routes.ops import STATIC
from api.settings import Settings
from biocap import catalogue
from biocap.io.iso19794 import RecordImage, build
from tests.api.conftest import make_client
from tests.io.images import encode


@pytest.mark.parametrize(
    ("asked", "header", "default", "chosen"),
    [
        ("vi", None, "en", "vi"),
        ("VI", "en", "en", "vi"),
        ("en", "vi", "vi", "en"),
        (None, "vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "en", "vi"),
        (None, "fr-FR, en;q=0.5, vi;q=0.8", "en", "vi"),  # q order, fr is not shipped
        (None, "en;q=0.2, vi;q=0", "vi", "en"),  # q=0: not acceptable
        (None, "de, fr", "vi", "vi"),  # nothing shipped asked: the station's language
        ("fr", "", "vi", "vi"),
        (None, "*", "vi", "vi"),
        (None, "vi;q=abc, en", "vi", "en"),  # a broken q-value counts as 0
        (None, None, "xx", "en"),  # a station language that is not shipped: English
    ],
)
def test_negotiate(asked, header, default, chosen) -> None:
    assert negotiate(asked, header, default) == chosen


def test_shipped_languages_include_vietnamese() -> None:
    assert {"en", "vi"} <= set(catalogue.languages())


def test_assess_route_honours_lang_header_and_station(client, finger_png: bytes) -> None:
    url = "/v1/finger/assess"
    assert client.post(url, content=finger_png).headers["content-language"] == "en"
    vi = client.post(url, content=finger_png, headers={"Accept-Language": "vi-VN,vi;q=0.9"})
    assert vi.headers["content-language"] == "vi"
    assert vi.json()["message"] == catalogue.lookup("service.accept", "vi")["message"]
    forced = client.post(url + "?lang=en", content=finger_png, headers={"Accept-Language": "vi"})
    assert forced.headers["content-language"] == "en"
    with make_client(lang="vi") as station:
        r = station.post(url, content=finger_png)
        assert r.headers["content-language"] == "vi"
        info = station.get("/v1/modalities").json()
        assert info["lang"] == "vi" and {"en", "vi"} <= set(info["languages"])


def test_station_language_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("BIOCAP_LANG", "vi")
    assert Settings.from_env().lang == "vi"


def test_mosip_reasons_in_the_negotiated_language(client) -> None:
    blank = np.full((300, 300), 235, np.uint8)
    record = build("finger", [RecordImage(encode(blank, "PNG"), 300, 300, position=2)])
    segment = {
        "bdbInfo": {"type": ["Finger"], "subtype": ["Right", "IndexFinger"]},
        "bdb": base64.urlsafe_b64encode(record).decode(),
    }
    dto = {"sample": {"segments": [segment]}, "modalitiesToCheck": ["FINGER"], "flags": {}}
    envelope = {"version": "1.0", "request": base64.b64encode(json.dumps(dto).encode()).decode()}
    for lang in ("en", "vi"):
        r = client.post("/v1/mosip/check-quality", json=envelope, headers={"Accept-Language": lang})
        assert r.status_code == 200 and r.headers["content-language"] == lang
        (error, *_) = r.json()["response"]["response"]["scores"]["FINGER"]["errors"]
        said = catalogue.lookup(error["errorCode"], lang)["message"]
        assert said != error["errorCode"] and said in error["errorMessage"]


def test_page_texts_are_complete_in_every_language() -> None:
    texts = json.loads((STATIC / "texts.json").read_text("utf-8"))
    en = texts["en"]
    assert set(texts) >= {"en", "vi"}
    for lang, table in texts.items():
        assert set(table) == set(en), f"{lang}: {sorted(set(en) ^ set(table))}"
        assert all(isinstance(v, str) and v.strip() for v in table.values()), lang
        for key, text in table.items():  # the same {placeholders} as English
            assert _placeholders(text) == _placeholders(en[key]), f"{lang} {key}"
    untranslated = [k for k, v in texts["vi"].items() if v == en[k] and k != "ppi"]
    assert not untranslated, f"vi texts still in English: {untranslated}"


def test_page_scripts_name_only_known_texts() -> None:
    """Every key the page's HTML and scripts ask for is in texts.json."""
    import re

    en = json.loads((STATIC / "texts.json").read_text("utf-8"))["en"]
    html = (STATIC / "index.html").read_text("utf-8")
    keys = set(re.findall(r'data-i18n(?:-placeholder)?="(\w+)"', html))
    for script in ("app.js", "live.js"):
        keys |= set(re.findall(r'\bt\("(\w+)"', (STATIC / script).read_text("utf-8")))
    assert keys and not keys - set(en), sorted(keys - set(en))


def _placeholders(text: str) -> set[str]:
    import re

    return set(re.findall(r"\{(\w+)\}", text))
