"""Every code a core or the policy can emit has an operator message and action in every shipped
language: operators at the counter read Vietnamese, and a missing key would silently fall back to
English."""

from __future__ import annotations

import re
import string

import pytest

from biocap import catalogue
from biocap.face import CODES as FACE_CODES
from biocap.finger import CODES as FINGER_CODES
from biocap.iris import CODES as IRIS_CODES

_POLICY = [
    f"{m}.{c}" for m in ("finger", "face", "iris") for c in ("low_quality", "not_assessable")
]
_SERVICE = ["service.accept", "service.retake", "service.exception"]
#: live capture's own words (api.stream)
_STREAM = ["stream.hold_still", "stream.captured", "stream.timeout"]
EMITTED = sorted({*FINGER_CODES, *FACE_CODES, *IRIS_CODES, *_POLICY, *_SERVICE, *_STREAM})
LANGS = catalogue.languages()


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_vietnamese_and_english_are_shipped():
    assert {"en", "vi"} <= set(LANGS)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("code", EMITTED)
def test_every_emitted_code_has_message_and_action(lang, code):
    entry = catalogue.entries(lang).get(code)
    assert entry is not None, f"{code} has no {lang} entry"
    assert entry["message"].strip() and entry.get("action", "").strip()


@pytest.mark.parametrize("lang", LANGS)
def test_languages_share_keys_and_placeholders(lang):
    en, other = catalogue.entries("en"), catalogue.entries(lang)
    assert set(other) == set(en)
    for code, entry in en.items():
        assert set(other[code]) == set(entry), code  # e.g. a region's short "label"
        for field in entry:
            assert _fields(other[code][field]) == _fields(entry[field]), code


def test_vietnamese_text_is_not_english_copied():
    vi, en = catalogue.entries("vi"), catalogue.entries("en")
    texts = [(vi[c][f], en[c][f]) for c in en for f in en[c]]
    assert not [v for v, e in texts if v == e]
    # Vietnamese is written with diacritics; an ASCII-only text is untranslated.
    assert all(re.search(r"[^\x00-\x7f]", v) for v, _ in texts)
