"""Every code the cores, the policy and the service can emit has a message and an action in every
shipped language (each folder of ``biocap/catalogue``), in that language's own words."""

from __future__ import annotations

import re

import pytest

from biocap import catalogue, face, finger, iris
from biocap.records import assessors

#: the policy's own retake reasons (``biocap.policy.decide``)
POLICY_REASONS = ("low_quality", "not_assessable")


def emitted_codes() -> set[str]:
    """The cores' code lists, the policy's reasons, and every service / stream entry the English
    catalogue (the reference language) names."""
    codes = set(finger.CODES) | set(face.CODES) | set(iris.CODES)
    codes |= {f"{m}.{reason}" for m in assessors() for reason in POLICY_REASONS}
    return codes | set(catalogue.entries("en"))


def test_the_reference_catalogue_names_every_core_code() -> None:
    assert set(finger.CODES) | set(face.CODES) | set(iris.CODES) <= set(catalogue.entries("en"))


@pytest.mark.parametrize("lang", catalogue.languages())
def test_every_code_has_a_message_and_an_action(lang: str) -> None:
    entries = catalogue.entries(lang)
    codes = emitted_codes()
    missing = sorted(
        c for c in codes if not (entries.get(c, {}).get("message") and entries[c].get("action"))
    )
    done = len(codes) - len(missing)
    assert not missing, f"{lang}: {done}/{len(codes)} codes complete; missing {missing}"


@pytest.mark.parametrize("lang", [x for x in catalogue.languages() if x != "en"])
def test_translations_are_translations(lang: str) -> None:
    """Not English copied over, the same ``{placeholders}``, no stray codes."""
    en, entries = catalogue.entries("en"), catalogue.entries(lang)
    assert set(entries) <= emitted_codes(), sorted(set(entries) - emitted_codes())
    for code, entry in entries.items():
        for field in ("message", "action"):
            text = entry.get(field, "")
            assert text != en[code].get(field), f"{lang} {code} {field} is the English text"
            assert _placeholders(text) == _placeholders(en[code].get(field, "")), code
            if lang == "vi":  # Vietnamese is written with its diacritics
                assert re.search(r"[^\x00-\x7f]", text), f"vi {code} {field} has no diacritics"


def _placeholders(text: str) -> set[str]:
    return set(re.findall(r"\{(\w+)\}", text))
