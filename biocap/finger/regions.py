"""Local defects found on the block quality map: smudged, dry-broken and worn regions.

NFIQ 2 and ISO/IEC 29794-4 score a print as a whole; an operator needs to know that *the core*
is smeared, not that the print is "a bit worse". Every block of the inner foreground (eroded by
one block: the border ring, where the finger leaves the platen, is not judged) is read from the
fields computed once per image (:mod:`biocap.finger.fields`, :mod:`biocap.finger.ridges`):

- **flat**: its ridge-valley modulation (profile std) is below ``region_contrast_share`` of the
  print's own typical modulation (80th percentile over the inner blocks), its grey std below
  ``region_flat_share`` of the typical std (dry dots stay black on white), and it is grey, not
  light (mean below ``dry_mean_grey``: skin that did not touch is no smear). Relative to the
  print, so that a low-contrast sensor (FVC 2002 DB3) is not flat everywhere; a print worn all
  over is the global ``finger.worn``.
- **smudged** (``finger.smudged_region``): a flat block whose orientation certainty is below
  ``smudge_coherence`` (the ridge flow is lost: smear, grease, a slid finger), or a grey hole
  that a smear too even to be foreground leaves in the print.
- **worn** (``finger.worn``): a flat block that keeps its direction: shallow ridges.
- **dry** (``finger.dry_broken``): a light block with at least ``dry_fragment_share`` of its
  ridge pixels in short fragments (:data:`biocap.finger.ridges.FRAGMENT_PX`): dots.

Each kind is closed with a 3x3 block kernel (a smudge keeps a few ridged blocks inside; they do
not make it two smudges) and cut into 8-connected regions of at least ``region_min_area_mm2``; a
smudge takes in the worn blocks around it (its half-smeared rim keeps a direction). A region's
**place** is ``core`` when it covers at least a third of the foreground blocks in the middle third
(rows and columns) of the print's bounding box, where the core of a plain impression lies;
otherwise the third (upper, lower, left, right) towards which its centroid lies. Parameters: the
``region_``, ``smudge_`` and ``dry_`` fields of :class:`~biocap.finger.defects.DefectThresholds`
(``benchmarks/finger_regions.py`` chose the area and reports what they find). Everything is array
work on the block grid (about a hundred blocks): no loop over blocks.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from biocap.assessment import Region, Severity

from .defects import (
    BLOCK_MM2,
    DEFAULT_THRESHOLDS,
    DRY_BROKEN,
    SMUDGED_REGION,
    WORN,
    DefectThresholds,
)
from .measures import Context
from .order_stats import percentiles

#: the reference levels are percentiles over the inner blocks: the print's well-ridged part.
_REFERENCE_PCT = 80.0
_KERNEL = np.ones((3, 3), np.uint8)
PLACES = ("core", "upper", "lower", "left", "right")


@dataclass(frozen=True, slots=True)
class BlockKinds:
    """Per-block masks ``(rows, cols)`` of each kind, before regions are cut from them, and
    the print's area: its foreground with the holes a smear may leave in it."""

    smudged: np.ndarray
    worn: np.ndarray
    dry: np.ndarray
    area: np.ndarray


def block_kinds(ctx: Context, t: DefectThresholds = DEFAULT_THRESHOLDS) -> BlockKinds | None:
    """Classify the inner blocks of one print; None when fewer than 4 inner blocks exist."""
    f = ctx.fields
    holes = _holes(f.foreground)
    inner = _eroded(f.foreground | holes)
    judged = inner & f.foreground
    if np.count_nonzero(judged) < 4:
        return None
    levels = percentiles(np.stack([f.profile_std[judged], f.std[judged]]), (_REFERENCE_PCT,))
    ref_contrast, ref_std = levels[0]
    light = f.mean >= t.dry_mean_grey
    dry = judged & light & (ctx.ridges.fragment_share >= t.dry_fragment_share)
    # Smears and worn ridges are grey (ink over the ridges, flattened skin that still touches);
    # a light patch without ridges is skin that did not touch (dry, lifted, the finger's edge).
    flat = judged & (f.profile_std < t.region_contrast_share * ref_contrast)
    flat &= (f.std < t.region_flat_share * ref_std) & ~light
    lost = f.coherence < t.smudge_coherence
    # A smear so even that segmentation left a hole in the print.
    film = inner & holes & ~light
    smudged = _closed((flat & lost) | film) & inner
    dry = _closed(dry) & inner & ~smudged
    worn = _closed(flat & ~lost) & inner & ~smudged & ~dry
    return BlockKinds(smudged, worn, dry, f.foreground | holes)


def _holes(fg: np.ndarray) -> np.ndarray:
    """Background blocks enclosed by the foreground (not reachable from the image border)."""
    h, w = fg.shape
    grid = np.zeros((h + 2, w + 2), np.uint8)
    grid[1:-1, 1:-1] = fg
    cv2.floodFill(grid, np.zeros((h + 4, w + 4), np.uint8), (0, 0), 2)
    return grid[1:-1, 1:-1] == 0


def _eroded(mask: np.ndarray) -> np.ndarray:
    out = cv2.erode(mask.view(np.uint8), _KERNEL, borderType=cv2.BORDER_CONSTANT, borderValue=0)
    return out.view(bool)


def _dilated(mask: np.ndarray) -> np.ndarray:
    return cv2.dilate(mask.view(np.uint8), _KERNEL).view(bool)


def _closed(mask: np.ndarray) -> np.ndarray:
    return cv2.morphologyEx(mask.view(np.uint8), cv2.MORPH_CLOSE, _KERNEL).view(bool)


def find_regions(ctx: Context, t: DefectThresholds = DEFAULT_THRESHOLDS) -> list[Region]:
    """Regions of at least ``t.region_min_area_mm2``, largest first within each kind."""
    kinds = block_kinds(ctx, t)
    if kinds is None:
        return []
    fg = kinds.area
    min_blocks = t.region_min_area_mm2 / BLOCK_MM2
    core = _core_cell(fg)
    n_fg = max(int(np.count_nonzero(fg)), 1)
    # The half-smeared rim of a smudge keeps some direction and reads as worn: the worn blocks
    # next to a smudge are part of it (a worn patch beyond them stays worn).
    rim = kinds.worn & _dilated(kinds.smudged)
    worn = kinds.worn & ~rim
    found = [(SMUDGED_REGION, b) for b in _cut(kinds.smudged | rim, min_blocks)]
    found += [(DRY_BROKEN, b) for b in _cut(kinds.dry, min_blocks)]
    found += [(WORN, b) for b in _cut(worn, min_blocks)]
    out: list[Region] = []
    for code, blocks in found:
        place = _place(blocks, fg, core)
        share = float(np.count_nonzero(blocks)) / n_fg
        out.append(Region(code, _severity(code, place), place, share, blocks, _outline(blocks)))
    return out


def _cut(mask: np.ndarray, min_blocks: float) -> list[np.ndarray]:
    """The 8-connected regions of ``mask`` with at least ``min_blocks`` blocks, largest first."""
    if np.count_nonzero(mask) < min_blocks:
        return []
    _, labels, stats, _ = cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)
    area = stats[:, cv2.CC_STAT_AREA]
    big = 1 + np.flatnonzero(area[1:] >= min_blocks)
    return [labels == k for k in big[np.argsort(-area[big], kind="stable")]]  # a few regions


def _severity(code: str, place: str) -> Severity:
    """A smudged or worn core is an error (the core holds the minutiae a matcher relies on);
    dry, broken ridges are a warning everywhere: on FVC 2002 DB1, the 33 of 80 prints with a
    dry region fail 16.9 % of their genuine bozorth3 comparisons against 15.5 % for the others
    (``benchmarks/finger_regions.py``), so a retake would cost a try for nothing; the operator
    still sees where and what to do."""
    return Severity.ERROR if place == "core" and code != DRY_BROKEN else Severity.WARNING


def _core_cell(fg: np.ndarray) -> np.ndarray:
    """Foreground blocks in the middle third (rows and columns) of the print's bounding box."""
    rows, cols = np.flatnonzero(fg.any(1)), np.flatnonzero(fg.any(0))
    cell = np.zeros_like(fg)
    if rows.size == 0:
        return cell
    r0, r1, c0, c1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    h, w = r1 - r0, c1 - c0
    cell[r0 + h // 3 : r1 - h // 3, c0 + w // 3 : c1 - w // 3] = True
    return cell & fg


def _place(blocks: np.ndarray, fg: np.ndarray, core: np.ndarray) -> str:
    n_core = int(np.count_nonzero(core))
    if n_core and 3 * np.count_nonzero(blocks & core) >= n_core:
        return "core"
    rows, cols = np.flatnonzero(fg.any(1)), np.flatnonzero(fg.any(0))
    by, bx = np.nonzero(blocks)
    dx = (bx.mean() - (cols[0] + cols[-1]) / 2.0) / max(cols[-1] + 1 - cols[0], 1)
    dy = (by.mean() - (rows[0] + rows[-1]) / 2.0) / max(rows[-1] + 1 - rows[0], 1)
    if abs(dy) >= abs(dx):
        return "upper" if dy < 0 else "lower"
    return "left" if dx < 0 else "right"


def _outline(blocks: np.ndarray) -> tuple[tuple[tuple[float, float], ...], ...]:
    """Outer boundary polygons of ``blocks``, in block units."""
    # Upscaled 4x, the contour through the boundary pixels' centres runs 1/8 block inside the
    # region's edge: close enough to draw.
    up = cv2.resize(blocks.view(np.uint8), None, fx=4, fy=4, interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(up, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    return tuple(
        tuple(((x + 0.5) / 4.0, (y + 0.5) / 4.0) for x, y in c.reshape(-1, 2).tolist())
        for c in contours
    )
