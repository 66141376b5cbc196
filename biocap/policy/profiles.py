"""Threshold profiles: TOML files (``default``, ``child``, ``strict`` or a station's own file).

A profile has one table per modality::

    [finger]
    min_quality = 40          # below it: retake (finger.low_quality)
    max_attempts = 3          # retakes before an exception keeps the best attempt
    ignore = ["finger.off_centre"]   # defect codes that never block
    [finger.thresholds]       # fields of biocap.finger.DefectThresholds
    too_light_mean_grey = 230
    [finger.stream]           # auto-capture from a live stream (StreamRules)
    frames = 3

Thresholds stay data, not code (STYLE.md, after OFIQ's configurable measures), so a programme can
tune a scanner's light prints or relax expression for toddlers without a release.
"""

from __future__ import annotations

import dataclasses
import importlib
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from biocap.errors import InvalidParameterError

_HERE = Path(__file__).resolve().parent / "profiles"
DEFAULT_PROFILE = "default"
_RULE_KEYS = {"min_quality", "max_attempts", "ignore", "thresholds", "stream"}
_STREAM_KEYS = {"frames", "max_quality_spread", "timeout_s"}


@dataclass(frozen=True, slots=True)
class StreamRules:
    """When a live stream's frame is captured on its own (``biocap.policy.live``).

    A frame is kept once ``frames`` consecutive frames were each accepted (quality at or above
    ``min_quality``, no blocking defect) with qualities within ``max_quality_spread`` points of
    each other: the subject is in place and still, not passing through a lucky frame. After
    ``timeout_s`` without such a run the best frame seen is kept, with its reasons.
    """

    frames: int = 5
    max_quality_spread: int = 10
    timeout_s: float = 15.0


@dataclass(frozen=True, slots=True)
class ModalityRules:
    """What one profile asks of one modality."""

    min_quality: int = 40
    max_attempts: int = 3
    ignore: frozenset[str] = frozenset()
    thresholds: dict[str, Any] = field(default_factory=dict)
    stream: StreamRules = StreamRules()


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str = ""
    modalities: dict[str, ModalityRules] = field(default_factory=dict)

    def rules(self, modality: str) -> ModalityRules:
        """The modality's rules; a modality the profile does not name gets the defaults."""
        return self.modalities.get(modality) or ModalityRules()

    def thresholds(self, modality: str) -> Any:
        """The core's ``DefectThresholds`` with this profile's overrides (None: core defaults)."""
        overrides = self.rules(modality).thresholds
        if not overrides:
            return None
        cls = importlib.import_module(f"biocap.{modality}").DefectThresholds
        try:
            return dataclasses.replace(cls(), **overrides)
        except TypeError as e:
            raise InvalidParameterError(
                f"profile {self.name!r}: [{modality}.thresholds]: {e}"
            ) from e


def profile_names() -> list[str]:
    """Profiles shipped with biocap."""
    return sorted(p.stem for p in _HERE.glob("*.toml"))


def _rules(modality: str, table: dict[str, Any], source: str) -> ModalityRules:
    unknown = set(table) - _RULE_KEYS
    if unknown:
        raise InvalidParameterError(f"{source}: [{modality}] has unknown keys {sorted(unknown)}")
    base = ModalityRules()
    min_quality = int(table.get("min_quality", base.min_quality))
    max_attempts = int(table.get("max_attempts", base.max_attempts))
    if not 0 <= min_quality <= 100 or max_attempts < 1:
        raise InvalidParameterError(f"{source}: [{modality}] min_quality 0-100, max_attempts >= 1")
    return ModalityRules(
        min_quality=min_quality,
        max_attempts=max_attempts,
        ignore=frozenset(table.get("ignore", ())),
        thresholds=dict(table.get("thresholds", {})),
        stream=_stream_rules(modality, table.get("stream", {}), source),
    )


def _stream_rules(modality: str, table: Any, source: str) -> StreamRules:
    where = f"{source}: [{modality}.stream]"
    if not isinstance(table, dict) or set(table) - _STREAM_KEYS:
        raise InvalidParameterError(f"{where}: a table of {sorted(_STREAM_KEYS)}")
    base = StreamRules()
    try:
        rules = StreamRules(
            frames=int(table.get("frames", base.frames)),
            max_quality_spread=int(table.get("max_quality_spread", base.max_quality_spread)),
            timeout_s=float(table.get("timeout_s", base.timeout_s)),
        )
    except (TypeError, ValueError) as e:
        raise InvalidParameterError(f"{where}: {e}") from e
    if not (1 <= rules.frames <= 100 and 0 <= rules.max_quality_spread <= 100):
        raise InvalidParameterError(f"{where}: frames 1-100, max_quality_spread 0-100")
    if not 0 < rules.timeout_s <= 600:
        raise InvalidParameterError(f"{where}: timeout_s in (0, 600]")
    return rules


@lru_cache(maxsize=32)
def load_profile(name_or_path: str = DEFAULT_PROFILE) -> Profile:
    """A shipped profile by name, or a TOML file by path; ``invalid_parameter`` when neither."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        if name_or_path not in profile_names():
            names = profile_names()
            raise InvalidParameterError(
                f"unknown profile {name_or_path!r}: choose one of {names} or a .toml path"
            )
        path = _HERE / f"{name_or_path}.toml"
    try:
        with path.open("rb") as f:
            data = tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise InvalidParameterError(f"profile {name_or_path!r}: {e}") from e
    description = str(data.pop("description", ""))
    modalities = {
        mod: _rules(mod, table, path.name) for mod, table in data.items() if isinstance(table, dict)
    }
    return Profile(path.stem, description, modalities)
