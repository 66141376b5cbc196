"""The operator's language: ``lang=``, else the browser's ``Accept-Language``, else the station's.

Only shipped catalogue languages (``biocap/catalogue/<lang>/``) are chosen: a language that is
not shipped falls through to the next source, and the answer's ``Content-Language`` names the
one chosen (``tests/test_catalogue.py`` holds every shipped language to every code).
"""

from __future__ import annotations

from functools import lru_cache

from biocap import catalogue


@lru_cache(maxsize=1)
def shipped() -> tuple[str, ...]:
    return tuple(catalogue.languages())


def negotiate(asked: str | None, accept_language: str | None, default: str) -> str:
    """``asked`` when shipped; else the best shipped language of an ``Accept-Language`` header
    (RFC 9110 q-values, ``vi-VN`` counts as ``vi``); else ``default`` when shipped; else English.
    """
    languages = shipped()
    if asked and asked.lower() in languages:
        return asked.lower()
    for lang in _ranked(accept_language or ""):
        if lang in languages:
            return lang
    return default if default in languages else catalogue.DEFAULT_LANG


def _ranked(header: str) -> list[str]:
    """Primary language tags of the header, highest q first (ties keep their order)."""
    ranked: list[tuple[float, int, str]] = []
    for i, item in enumerate(header.split(",")[:32]):  # a station sends a few; ignore a flood
        tag, _, params = item.strip().partition(";")
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        primary = tag.strip().split("-")[0].lower()
        if primary.isalpha() and q > 0:
            ranked.append((-q, i, primary))
    return [lang for _, _, lang in sorted(ranked)]
