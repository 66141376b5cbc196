"""Profiles load, validate their keys and hand each core its thresholds."""

from __future__ import annotations

from pathlib import Path

import pytest

from biocap.errors import InvalidParameterError
from biocap.finger import DefectThresholds
from biocap.policy import load_profile, profile_names
from biocap.records import assessors


def test_shipped_profiles_load_and_name_only_known_thresholds() -> None:
    assert {"default", "child", "strict"} <= set(profile_names())
    for name in profile_names():
        profile = load_profile(name)
        assert profile.description
        for modality in profile.modalities:
            assert modality in assessors(), f"{name}: unknown modality {modality}"
            profile.thresholds(modality)  # raises on a key the core does not have


def test_child_is_more_lenient_than_strict_for_fingers() -> None:
    child, strict = load_profile("child").rules("finger"), load_profile("strict").rules("finger")
    assert child.min_quality < load_profile("default").rules("finger").min_quality
    assert child.min_quality < strict.min_quality


def test_a_station_file_overrides_core_thresholds(tmp_path: Path) -> None:
    path = tmp_path / "optical.toml"
    path.write_text(
        'description = "x"\n[finger]\nmin_quality = 20\nignore = ["finger.too_light"]\n'
        "[finger.thresholds]\ntoo_light_mean_grey = 235.0\n"
    )
    profile = load_profile(str(path))
    t = profile.thresholds("finger")
    assert isinstance(t, DefectThresholds)
    assert t.too_light_mean_grey == 235.0
    assert t.too_dark_mean_grey == DefectThresholds().too_dark_mean_grey
    assert profile.rules("finger").ignore == {"finger.too_light"}
    assert profile.thresholds("face") is None  # unnamed modality: core defaults


@pytest.mark.parametrize(
    "body",
    [
        "[finger]\nmin_qualty = 20\n",  # typo in a rule key
        "[finger]\nmin_quality = 120\n",
        "[finger]\nmax_attempts = 0\n",
        "[finger\n",  # not TOML
    ],
)
def test_bad_profile_files_are_invalid_parameters(tmp_path: Path, body: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(InvalidParameterError):
        load_profile(str(path))


def test_unknown_threshold_key_is_an_invalid_parameter(tmp_path: Path) -> None:
    path = tmp_path / "typo.toml"
    path.write_text("[finger.thresholds]\ntoo_lite_mean_grey = 1\n")
    with pytest.raises(InvalidParameterError, match="too_lite_mean_grey"):
        load_profile(str(path)).thresholds("finger")


def test_unknown_profile_name_lists_the_choices() -> None:
    with pytest.raises(InvalidParameterError, match="default"):
        load_profile("no-such-profile")
