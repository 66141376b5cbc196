"""Message catalogue: defect code -> operator message and action, per language (TOML files).

Cores emit codes only; front doors look the words up here, so a station can be translated
without touching code: ``en/`` and ``vi/`` (Vietnamese, the operators' language) ship, another
language is one more folder. Each language folder holds one file per modality (``finger.toml``,
``face.toml`` ...); every file in it is merged.
"""

from __future__ import annotations

import tomllib
from functools import lru_cache
from pathlib import Path

_HERE = Path(__file__).resolve().parent
DEFAULT_LANG = "en"


@lru_cache(maxsize=8)
def _load(lang: str) -> dict[str, dict[str, str]]:
    folder = _HERE / lang
    if not lang.isalpha() or not folder.is_dir():
        return {}
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(folder.glob("*.toml")):
        with path.open("rb") as f:
            merged.update(tomllib.load(f))
    return merged


def languages() -> list[str]:
    """The shipped languages (one folder each), sorted."""
    return sorted(p.name for p in _HERE.iterdir() if p.is_dir() and p.name.isalpha())


def entries(lang: str) -> dict[str, dict[str, str]]:
    """Every entry of ``lang`` as written, with no English fallback (for checks and docs)."""
    return dict(_load(lang))


def lookup(code: str, lang: str = DEFAULT_LANG) -> dict[str, str]:
    """``{"message": ..., "action": ...}`` for ``code``; English when ``lang`` lacks it."""
    entry = _load(lang).get(code) or _load(DEFAULT_LANG).get(code)
    if entry is None:
        return {"message": code, "action": ""}
    return {"message": entry["message"], "action": entry.get("action", "")}


def label(code: str, lang: str = DEFAULT_LANG) -> str:
    """The short ``label`` of ``code`` (drawn beside a region on the print); English when
    ``lang`` lacks it, the code itself when no language has one."""
    for entries in (_load(lang), _load(DEFAULT_LANG)):
        if text := entries.get(code, {}).get("label"):
            return text
    return code
