"""``assess`` end to end on synthetic prints, their defects, non-fingerprints and odd inputs."""

from __future__ import annotations

import functools
import io

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image
from skimage import data

from biocap.assessment import QUALITY_FAILURE, Assessment
from biocap.capture import Capture
from biocap.finger import CODES, analyse, assess
from biocap.finger import defects as D
from biocap.finger import synthetic as S
from biocap.io import decode

from .helpers import SEEDS, assess_grey


def _codes(a: Assessment) -> list[str]:
    return [d.code for d in a.defects]


def _evidence(a: Assessment) -> dict[str, float]:
    keys = ("mean_grey", "ridge_valley_contrast", "foreground_area", "ridge_likeness")
    return {k: round(a.measures[k].raw, 2) for k in keys} | {"quality": a.quality}


# --- the clean synthetic print --------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_print_is_a_scored_fingerprint(seed: int, clean: dict[int, Assessment]) -> None:
    a = clean[seed]
    assert a.modality == "finger"
    assert D.NOT_A_FINGERPRINT not in _codes(a)
    assert a.failure_reason is None
    assert 0 <= a.quality <= 100
    assert a.quality >= 40, _evidence(a)
    assert all(np.isfinite(m.raw) for m in a.measures.values())
    assert all(m.score is None or 0 <= m.score <= 100 for m in a.measures.values())
    assert set(_codes(a)) <= set(CODES)
    # a well-pressed, centred, full print: nothing to complain about
    assert _codes(a) == [], _evidence(a)


def test_quality_map_is_the_block_grid_with_255_on_background(
    prints: dict[int, np.ndarray], clean: dict[int, Assessment]
) -> None:
    img, a = prints[0], clean[0]
    fg = analyse(img).fg
    assert a.quality_map is not None and a.block_px == 32
    assert a.quality_map.dtype == np.uint8
    assert a.quality_map.shape == fg.shape == (-(-400 // 32), -(-380 // 32))
    assert (a.quality_map[~fg] == 255).all()
    assert (a.quality_map[fg] <= 100).all()
    # the platen corners are background, the centre of the finger is scored
    assert a.quality_map[0, 0] == 255 and a.quality_map[-1, -1] == 255
    assert a.quality_map[6, 6] <= 100
    d = a.to_dict(with_map=True)
    assert d["quality_map"]["values"] == a.quality_map.tolist()  # type: ignore[index]


@pytest.mark.parametrize("k", [1, 2, 3])
def test_rotation_keeps_quality(k: int, prints: dict[int, np.ndarray]) -> None:
    for seed in SEEDS[:2]:
        q0 = assess_grey(prints[seed]).quality
        q = assess_grey(np.ascontiguousarray(np.rot90(prints[seed], k))).quality
        assert abs(q - q0) <= 15, (seed, k * 90, q0, q)


# --- simulated defects ----------------------------------------------------------------------


def test_blank_is_not_a_fingerprint() -> None:
    for value in (230, 255, 0, 128):
        a = assess_grey(S.blank((400, 380), value))
        assert a.quality == 0
        assert _codes(a) == [D.NOT_A_FINGERPRINT]


@pytest.mark.parametrize("seed", SEEDS)
def test_dry_is_too_light(seed: int, prints: dict[int, np.ndarray]) -> None:
    a = assess_grey(S.dry(prints[seed], seed))
    assert D.NOT_A_FINGERPRINT not in _codes(a), _evidence(a)
    assert D.TOO_LIGHT in _codes(a), _evidence(a)


@pytest.mark.xfail(
    strict=True,
    reason="utility model scores the synthetic dry prints 97-100 vs 86-91 for the clean ones "
    "(mean_grey 222-227, minutiae_count 296-336 from ridge fragments); on FVC DB1 the prints "
    "flagged too_light match nearly as often as the rest (80 % vs 84 %), so the model, trained "
    "on matcher outcomes, has no reason to score them low",
)
@pytest.mark.parametrize("seed", SEEDS)
def test_dry_scores_lower_than_clean(
    seed: int, prints: dict[int, np.ndarray], clean: dict[int, Assessment]
) -> None:
    a = assess_grey(S.dry(prints[seed], seed))
    assert a.quality < clean[seed].quality, (_evidence(a), clean[seed].quality)


@pytest.mark.parametrize("seed", SEEDS)
def test_wet_is_too_dark(seed: int, prints: dict[int, np.ndarray]) -> None:
    a = assess_grey(S.wet(prints[seed]))
    assert D.NOT_A_FINGERPRINT not in _codes(a), _evidence(a)
    assert D.TOO_DARK in _codes(a), _evidence(a)


@pytest.mark.parametrize("seed", SEEDS)
def test_wet_is_darker_and_scores_lower(
    seed: int, prints: dict[int, np.ndarray], clean: dict[int, Assessment]
) -> None:
    a = assess_grey(S.wet(prints[seed]))
    assert D.NOT_A_FINGERPRINT not in _codes(a)
    assert a.measures["mean_grey"].raw < clean[seed].measures["mean_grey"].raw - 40
    assert a.quality < clean[seed].quality, (_evidence(a), clean[seed].quality)


@pytest.mark.parametrize("seed", SEEDS)
def test_worn_is_worn(seed: int, prints: dict[int, np.ndarray]) -> None:
    a = assess_grey(S.worn(prints[seed], seed))
    assert D.NOT_A_FINGERPRINT not in _codes(a), _evidence(a)
    assert D.WORN in _codes(a), _evidence(a)
    assert D.TOO_LIGHT not in _codes(a) and D.TOO_DARK not in _codes(a)


@pytest.mark.parametrize("seed", SEEDS)
def test_partial_is_too_small(seed: int, prints: dict[int, np.ndarray]) -> None:
    a = assess_grey(S.partial(prints[seed]))
    assert D.NOT_A_FINGERPRINT not in _codes(a), _evidence(a)
    assert D.TOO_SMALL in _codes(a), _evidence(a)


@pytest.mark.parametrize("seed", SEEDS)
def test_off_centre_is_off_centre(seed: int, prints: dict[int, np.ndarray]) -> None:
    a = assess_grey(S.off_centre(prints[seed]))
    assert D.NOT_A_FINGERPRINT not in _codes(a), _evidence(a)
    assert D.OFF_CENTRE in _codes(a), _evidence(a)
    assert D.TOO_SMALL not in _codes(a)


@pytest.mark.parametrize("seed", SEEDS)
def test_scar_is_scarred(seed: int, prints: dict[int, np.ndarray]) -> None:
    a = assess_grey(S.scar(prints[seed], seed))
    assert D.NOT_A_FINGERPRINT not in _codes(a), _evidence(a)
    assert D.SCARRED in _codes(a), _evidence(a)


# --- not fingerprints -----------------------------------------------------------------------


def _gradient() -> np.ndarray:
    return np.add.outer(np.linspace(0, 120, 400), np.linspace(0, 130, 380)).astype(np.uint8)


NON_FINGERPRINTS = {
    "astronaut": data.astronaut,  # RGB photo, public domain
    "camera": data.camera,
    "coffee": data.coffee,
    "uniform_noise": lambda: np.random.default_rng(0).integers(0, 256, (400, 400), np.uint8),
    "gradient": _gradient,
}


@pytest.mark.parametrize("name", list(NON_FINGERPRINTS))
def test_non_fingerprints_are_rejected(name: str) -> None:
    a = assess(Capture(NON_FINGERPRINTS[name](), source=name))
    assert a.quality == 0
    assert _codes(a) == [D.NOT_A_FINGERPRINT]


def test_uniform_noise_is_rejected_whatever_the_seed() -> None:
    passed = []
    for seed in range(24):
        img = np.random.default_rng(seed).integers(0, 256, (400, 400), np.uint8)
        a = assess(Capture(img))
        if not a.has(D.NOT_A_FINGERPRINT):
            passed.append((seed, round(a.measures["ridge_likeness"].raw, 3)))
    assert passed == []


# --- odd inputs -----------------------------------------------------------------------------


def test_tiny_image_fails_with_a_reason() -> None:
    a = assess(Capture(S.fingerprint((40, 40), seed=0)))
    assert a.quality == QUALITY_FAILURE
    assert a.failure_reason
    assert a.defects == []


def test_resolution_that_shrinks_below_the_minimum_fails_with_a_reason(
    prints: dict[int, np.ndarray],
) -> None:
    # 100 px at 1000 ppi is 50 px at 500 ppi: too small once resampled
    a = assess(Capture(prints[0][150:250, 150:250], ppi=1000.0, ppi_source="caller"))
    assert a.quality == QUALITY_FAILURE and a.failure_reason


def _png(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, "PNG")
    return buf.getvalue()


def test_16_bit_and_colour_inputs_are_scored(prints: dict[int, np.ndarray]) -> None:
    img = prints[0]
    q_grey = assess_grey(img).quality
    # 16-bit sensor data in 12 of 16 bits
    c16 = decode(_png(img.astype(np.uint16) * 16), ppi=500)
    assert c16.meta.get("converted_from") == "16-bit"
    a16 = assess(c16)
    # a colour scan with a warm cast
    rgb = np.stack([img, (img * 0.9).astype(np.uint8), (img * 0.75).astype(np.uint8)], -1)
    crgb = decode(_png(rgb), ppi=500)
    assert crgb.is_colour
    argb = assess(crgb)
    for a in (a16, argb):
        assert 0 <= a.quality <= 100
        assert D.NOT_A_FINGERPRINT not in _codes(a)
    assert abs(a16.quality - q_grey) <= 10
    assert abs(argb.quality - q_grey) <= 20


@functools.lru_cache(maxsize=4)
def _print(seed: int) -> np.ndarray:
    return S.fingerprint(seed=seed)


@st.composite
def _images(draw: st.DrawFn) -> np.ndarray:
    h = draw(st.integers(64, 300))
    w = draw(st.integers(64, 300))
    kind = draw(st.sampled_from(["arbitrary", "noise", "ridges", "print"]))
    if kind == "arbitrary":
        return draw(hnp.arrays(np.uint8, (h, w), elements=st.integers(0, 255)))
    seed = draw(st.integers(0, 2**16))
    if kind == "noise":
        lo = draw(st.integers(0, 255))
        hi = draw(st.integers(lo, 255))
        return np.random.default_rng(seed).integers(lo, hi + 1, (h, w), np.uint8)
    if kind == "ridges":
        return S.ridge_pattern(
            (h, w),
            period_px=draw(st.floats(2.0, 30.0)),
            angle_deg=draw(st.floats(0.0, 180.0)),
            contrast=draw(st.floats(0.0, 1.0)),
            mean=draw(st.floats(0.0, 255.0)),
        )
    big = _print(seed % 4)
    y = draw(st.integers(0, big.shape[0] - min(h, big.shape[0])))
    x = draw(st.integers(0, big.shape[1] - min(w, big.shape[1])))
    return np.ascontiguousarray(big[y : y + h, x : x + w])


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(img=_images(), ppi=st.sampled_from([None, 500.0, 1000.0]))
def test_assess_never_raises_and_quality_is_in_range(img: np.ndarray, ppi: float | None) -> None:
    a = assess(Capture(img, ppi=ppi, ppi_source="caller" if ppi else "assumed"))
    assert a.quality == QUALITY_FAILURE or 0 <= a.quality <= 100
    if a.quality == QUALITY_FAILURE:
        assert a.failure_reason
    else:
        assert a.quality_map is not None
        assert all(m.score is None or 0 <= m.score <= 100 for m in a.measures.values())
    a.to_dict(with_map=True)  # serialisable whatever came in
