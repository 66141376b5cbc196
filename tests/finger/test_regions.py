"""Local defects on the quality map (``biocap.finger.regions``): synthetic prints with a smeared,
dotted or faded patch of known centre and size, and the shared altered prints labelled by eye
(``benchmarks/data/altered_regions.tsv``; read in place, skipped without ``../shared/data``).
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from biocap import catalogue
from biocap.assessment import Severity
from biocap.capture import Capture
from biocap.finger import assess
from biocap.finger import synthetic as S
from biocap.finger.core import analyse, features_of
from biocap.finger.defects import DEFAULT_THRESHOLDS, DRY_BROKEN, SMUDGED_REGION, WORN
from biocap.finger.measures import compute_measures
from biocap.finger.model import predict_utility
from biocap.finger.regions import PLACES
from biocap.io import read
from biocap.policy import Decision, decide, load_profile

from .helpers import SEEDS, assess_grey

REGION_CODES = (SMUDGED_REGION, DRY_BROKEN, WORN)
LABELS = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "altered_regions.tsv"
#: a larger print, so that a patch in one third of it is still bigger than the smallest region.
BIG = (480, 440)
DEFAULT = load_profile("default").rules("finger")


def _block_cover(mask: np.ndarray, grid: tuple[int, int]) -> np.ndarray:
    """Share of each 32 px block covered by ``mask`` (the degraded patch)."""
    rows, cols = grid
    padded = np.zeros((rows * 32, cols * 32), np.float32)
    h, w = min(mask.shape[0], rows * 32), min(mask.shape[1], cols * 32)
    padded[:h, :w] = mask[:h, :w]
    return cv2.resize(padded, (cols, rows), interpolation=cv2.INTER_AREA)


def _degrade(kind: str, img: np.ndarray, seed: int, **where: object) -> np.ndarray:
    if kind == "film":  # a smear so even that it carries no texture at all
        return S.smudge(img, seed=seed, blotch=0.0, **where)
    return getattr(S, kind)(img, seed=seed, **where)


def _edge(img: np.ndarray, where: str) -> dict[str, tuple[float, float]]:
    """Centre and half-axes of a patch in one third of the print, away from its middle."""
    x0, y0, x1, y1 = S._print_box(img)
    w, h = x1 - x0, y1 - y0
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return {
        "upper": {"centre": (cx, y0 + 0.2 * h), "axes": (0.3 * w, 0.12 * h)},
        "lower": {"centre": (cx, y0 + 0.78 * h), "axes": (0.32 * w, 0.14 * h)},
        "left": {"centre": (x0 + 0.2 * w, cy), "axes": (0.12 * w, 0.3 * h)},
        "right": {"centre": (x0 + 0.8 * w, cy), "axes": (0.12 * w, 0.3 * h)},
    }[where]


@pytest.fixture(scope="module")
def big_prints() -> dict[int, np.ndarray]:
    return {seed: S.fingerprint(BIG, seed=seed) for seed in SEEDS}


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_prints_have_no_region(clean, seed: int) -> None:
    a = clean[seed]
    assert a.regions == []
    assert not any(d.code in REGION_CODES for d in a.defects)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("kind", "code", "severity"),
    [
        ("smudge", SMUDGED_REGION, Severity.ERROR),
        ("film", SMUDGED_REGION, Severity.ERROR),
        ("worn_patch", WORN, Severity.ERROR),
        ("dry_patch", DRY_BROKEN, Severity.WARNING),
    ],
)
def test_a_central_patch_is_found_where_it_is(prints, seed, kind, code, severity) -> None:
    """The default patch: an ellipse at the print's middle, half its width and height."""
    img = prints[seed]
    a = assess_grey(_degrade(kind, img, seed))
    assert [r.code for r in a.regions] == [code]
    region = a.regions[0]
    assert region.place == "core" and region.severity is severity
    cover = _block_cover(S.region_mask(img), region.blocks.shape)
    fg = (a.quality_map != 255) | region.blocks  # a smooth smear is a hole in the foreground
    assert (cover[region.blocks] > 0.25).mean() >= 0.75  # it lies on the patch ...
    inside = (cover > 0.9) & fg
    assert (region.blocks & inside).sum() >= 0.75 * inside.sum()  # ... and covers its middle
    true_share = float((cover * fg).sum() / fg.sum())  # ~0.17 of the foreground
    assert 0.5 * true_share <= region.share <= 1.6 * true_share
    defect = next(d for d in a.defects if d.code == code)
    assert defect.place == "core" and defect.severity is severity
    assert defect.evidence["share"] == pytest.approx(region.share)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize(
    ("kind", "where", "code"),
    [
        ("smudge", "upper", SMUDGED_REGION),
        ("smudge", "left", SMUDGED_REGION),
        ("worn_patch", "right", WORN),
        ("dry_patch", "lower", DRY_BROKEN),
    ],
)
def test_a_patch_at_the_edge_is_placed_and_only_warned(big_prints, seed, kind, where, code) -> None:
    img = big_prints[seed]
    a = assess_grey(_degrade(kind, img, seed, **_edge(img, where)))
    assert [(r.code, r.place, r.severity) for r in a.regions] == [(code, where, Severity.WARNING)]
    assert decide(a, DEFAULT).decision is Decision.ACCEPT  # warnings never block


def test_a_patch_smaller_than_the_smallest_region_is_not_reported(prints) -> None:
    img = prints[0]
    x0, y0, x1, y1 = S._print_box(img)
    small = S.smudge(img, axes=(0.1 * (x1 - x0), 0.1 * (y1 - y0)))  # ~4 % of the print
    assert assess_grey(small).regions == []


@pytest.mark.parametrize("seed", SEEDS)
def test_a_smudged_core_lowers_the_quality_and_is_retaken(prints, clean, seed) -> None:
    smudged = S.smudge(prints[seed], seed=seed)
    a = assess_grey(smudged)
    ctx = analyse(smudged)
    model = predict_utility(features_of(ctx, compute_measures(ctx)))
    share = sum(r.share for r in a.regions if r.code == SMUDGED_REGION)
    assert a.quality == round(model * (1.0 - share)) < clean[seed].quality
    verdict = decide(a, DEFAULT)
    assert verdict.decision is Decision.RETAKE and SMUDGED_REGION in verdict.reasons


def test_whole_print_defects_keep_no_place(prints) -> None:
    a = assess_grey(S.worn(prints[0]))
    worn = next(d for d in a.defects if d.code == WORN)
    assert worn.place is None and "ridge_valley_contrast" in worn.evidence


def test_a_profile_can_raise_the_smallest_region(prints) -> None:
    img = S.smudge(prints[0])
    big = dataclasses.replace(DEFAULT_THRESHOLDS, region_min_area_mm2=500.0)
    capture = Capture(img, ppi=500.0, ppi_source="caller", source="synthetic")
    assert assess(capture).regions and not assess(capture, big).regions


def test_regions_in_the_map_answer_are_in_the_decoded_images_pixels(prints) -> None:
    """At 1000 ppi a block is 64 px of the capture: boxes and outlines scale with it."""
    img = S.smudge(prints[1])
    twice = cv2.resize(img, None, fx=2, fy=2, interpolation=cv2.INTER_CUBIC)
    for pixels, ppi in ((img, 500.0), (twice, 1000.0)):
        a = assess(Capture(pixels, ppi=ppi, ppi_source="caller", source="synthetic"))
        qmap = a.to_dict(with_map=True)["quality_map"]
        (region,) = qmap["regions"]
        assert region["code"] == SMUDGED_REGION and region["place"] in PLACES
        x0, y0, x1, y1 = region["box"]
        assert qmap["block_px"] == 32 * ppi / 500
        rows, cols = np.nonzero(a.regions[0].blocks)
        assert (x0, y0) == (cols.min() * qmap["block_px"], rows.min() * qmap["block_px"])
        assert 0 <= x0 < x1 <= pixels.shape[1] + qmap["block_px"]
        points = np.array([p for poly in region["outline"] for p in poly])
        assert len(points) >= 4
        assert (points[:, 0] >= x0).all() and (points[:, 0] <= x1).all()
        assert (points[:, 1] >= y0).all() and (points[:, 1] <= y1).all()


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_every_local_defect_and_place_has_operator_words(lang: str) -> None:
    for code in REGION_CODES:
        entry = catalogue.lookup(code, lang)
        assert entry["message"] != code and entry["action"]
        assert catalogue.label(code, lang) != code
    names = {catalogue.label(f"finger.place.{p}", lang) for p in PLACES}
    assert len(names) == len(PLACES) and not any(n.startswith("finger.") for n in names)
    if lang != "en":  # translated, not the English fallback
        assert catalogue.lookup(SMUDGED_REGION, lang) != catalogue.lookup(SMUDGED_REGION, "en")


# --- shared real images ----------------------------------------------------------------------


def _labels() -> dict[str, str]:
    with LABELS.open() as f:
        rows = csv.DictReader((line for line in f if not line.startswith("#")), delimiter="\t")
        return {r["file"]: r["label"] for r in rows}


#: what the shared sets gave when the thresholds were set (benchmarks/finger_regions.py); the
#: floors asserted are the issue's targets.
SMUDGES_FOUND, SMUDGES_NEEDED = 10, 8  # of 12 labelled
DOTTED_FOUND, DOTTED_NEEDED = 5, 4  # of 5


@pytest.mark.shared_data
def test_altered_smudges_and_dotted_prints_are_found(shared_data: Path) -> None:
    folder = shared_data / "finger" / "altered_haq"
    labels = _labels()
    found: dict[str, list[str]] = {"smudged": [], "dotted": []}
    for name, label in labels.items():
        if label not in found:
            continue
        a = assess(read(folder / name))
        code = SMUDGED_REGION if label == "smudged" else DRY_BROKEN
        if a.has(code):
            found[label].append(name)
        if label == "smudged" and a.has(code):
            assert decide(a, DEFAULT).decision is not Decision.ACCEPT, name
    assert len(found["smudged"]) >= SMUDGES_NEEDED, found
    assert len(found["dotted"]) >= DOTTED_NEEDED, found


@pytest.mark.shared_data
def test_fvc_prints_rarely_get_an_error_region(shared_data: Path) -> None:
    paths = [
        p
        for s in ("fvc2002_db1_b", "fvc2002_db3_b", "fvc2002_db4_b")
        for p in sorted((shared_data / "finger" / s).glob("*.tif"))
    ]
    assert len(paths) == 240
    errors = [
        p.name for p in paths if any(r.severity is Severity.ERROR for r in assess(read(p)).regions)
    ]
    assert len(errors) <= 0.05 * len(paths), errors
